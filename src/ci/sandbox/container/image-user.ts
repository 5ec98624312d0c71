/**
 * The user a container runs as — `run.user` or the image's `User` — as numeric IDs: `uid`,
 * `uid:gid`, `name` or `name:group`, names looked up in the image's own /etc/passwd and /etc/group.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

export interface NumericUser {
  uid: number;
  gid: number;
}

/** `name:x:uid:gid:…` lines → name → [uid, gid]. */
async function table(rootfs: string, file: string): Promise<Map<string, [number, number]>> {
  const text = await readFile(path.join(rootfs, "etc", file), "utf8").catch(() => "");
  const entries = new Map<string, [number, number]>();
  for (const line of text.split("\n")) {
    const [name, , id, group] = line.split(":");
    if (name && id !== undefined && /^\d+$/.test(id))
      entries.set(name, [Number(id), Number(group ?? id) || 0]);
  }
  return entries;
}

export async function resolveImageUser(
  rootfs: string,
  user: string | undefined,
): Promise<NumericUser | undefined> {
  if (!user) return undefined;
  const [name = "", group] = user.split(":");
  let uid: number;
  let gid: number;
  if (/^\d+$/.test(name)) {
    uid = Number(name);
    const entry = [...(await table(rootfs, "passwd")).values()].find(([id]) => id === uid);
    gid = entry?.[1] ?? uid;
  } else {
    const entry = (await table(rootfs, "passwd")).get(name);
    if (!entry) throw new Error(`user ${JSON.stringify(name)} is not in the image's /etc/passwd`);
    [uid, gid] = entry;
  }
  if (group !== undefined && group !== "") {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const entry = (await table(rootfs, "group")).get(group);
      if (!entry) throw new Error(`group ${JSON.stringify(group)} is not in the image's /etc/group`);
      gid = entry[0];
    }
  }
  return { uid, gid };
}

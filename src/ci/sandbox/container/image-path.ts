/**
 * Whether a command exists in an image's root filesystem, looked up as the container will: an
 * absolute path, or a bare name along the image's PATH, symlinks resolved inside the root (an
 * absolute link such as `/bin -> /usr/bin` points into the image, never the host).
 */
import { lstat, readlink } from "node:fs/promises";
import path from "node:path";

const maxLinks = 40;

async function existsInRoot(rootfs: string, file: string): Promise<boolean> {
  const pending = file.split("/").filter(Boolean);
  let at = "/";
  for (let hops = 0; pending.length > 0;) {
    const name = pending.shift()!;
    if (name === ".") continue;
    if (name === "..") {
      at = path.posix.dirname(at);
      continue;
    }
    const next = path.posix.join(at, name);
    const info = await lstat(path.join(rootfs, next)).catch(() => undefined);
    if (!info) return false;
    if (!info.isSymbolicLink()) {
      at = next;
      continue;
    }
    if (++hops > maxLinks) return false;
    const target = await readlink(path.join(rootfs, next));
    if (target.startsWith("/")) at = "/";
    pending.unshift(...target.split("/").filter(Boolean));
  }
  return true;
}

/** Undefined when the command is found (or lives in a mounted volume: a relative path with a slash); else why not. */
export async function missingCommand(rootfs: string, command: string, env: Readonly<Record<string, string>>) {
  if (command.startsWith("/")) {
    return (await existsInRoot(rootfs, command)) ? undefined : `${command} is not in the image`;
  }
  if (command.includes("/")) return undefined;
  const dirs = (env["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(":");
  for (const dir of dirs) {
    if (dir.startsWith("/") && (await existsInRoot(rootfs, path.posix.join(dir, command)))) return undefined;
  }
  return `${command} is not in the image's PATH (${dirs.join(":")})`;
}

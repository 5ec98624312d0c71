/**
 * The task step's `image:` option: an artifact in Concourse's image format — `rootfs/` and
 * `metadata.json` (`{"env": [...], "user": "..."}`), as oci-build-task's UNPACK_ROOTFS and
 * registry-image's rootfs get write it. Used in place; nothing is cached.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { RootfsLease } from "../image.ts";

const Metadata = z.looseObject({ env: z.array(z.string()).nullish(), user: z.string().nullish() });

export async function artifactRootfs(artifact: string, dir: string): Promise<RootfsLease> {
  const rootfs = path.join(dir, "rootfs");
  if (!(await stat(rootfs).catch(() => undefined))?.isDirectory()) {
    throw new Error(
      `image artifact ${artifact} has no rootfs/ directory (write it with oci-build-task's UNPACK_ROOTFS)`,
    );
  }
  const text = await readFile(path.join(dir, "metadata.json"), "utf8").catch(() => "{}");
  let metadata: z.infer<typeof Metadata>;
  try {
    metadata = Metadata.parse(JSON.parse(text));
  } catch {
    throw new Error(`image artifact ${artifact}: metadata.json is not {"env": [...], "user": "..."}`);
  }
  return {
    rootfs,
    config: { env: metadata.env ?? [], user: metadata.user || undefined },
    digest: "",
    release: () => {},
  };
}

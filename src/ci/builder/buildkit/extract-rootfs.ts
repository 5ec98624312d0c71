/**
 * Root filesystem outputs arrive as BuildKit's tar export of the final filesystem (its local
 * exporter stalls on large images here) and are unpacked with GNU tar. The tar is a walk of a
 * real filesystem with the layers already applied — no whiteouts, no path through a symlink, no
 * `..` — so plain extraction keeps it inside the directory; ownership and modes are kept (the
 * server runs as root). Device nodes are removed: a container gets a fresh /dev, and a node
 * elsewhere in an image is a door to the host's devices.
 */
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { runProcess } from "../../../process/run.ts";

async function removeDeviceNodes(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isBlockDevice() || entry.isCharacterDevice()) {
      await rm(path.join(entry.parentPath, entry.name), { force: true });
    }
  }
}

export async function extractRootfs(tarFile: string, dir: string, signal?: AbortSignal): Promise<void> {
  await runProcess(
    "tar",
    ["--extract", "--file", tarFile, "--directory", dir, "--numeric-owner", "--preserve-permissions"],
    { env: { PATH: "/usr/bin:/bin" }, timeoutMs: 30 * 60 * 1000, signal },
  );
  await removeDeviceNodes(dir);
}

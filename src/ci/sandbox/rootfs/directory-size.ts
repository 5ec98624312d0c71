/** Bytes a directory tree takes on disk: blocks of every file, hard links counted once, links not followed. */
import { lstat, readdir } from "node:fs/promises";
import path from "node:path";

export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const info = await lstat(path.join(entry.parentPath, entry.name));
    const inode = `${info.dev}:${info.ino}`;
    if (seen.has(inode)) continue;
    seen.add(inode);
    total += info.blocks * 512;
  }
  return total;
}

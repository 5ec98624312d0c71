/**
 * A build context is what the builder may read. A symlink in it that points outside (`../../etc`,
 * `/root/.ssh`) would copy nothing useful into the image at best and confuse a reader at worst:
 * the build is refused, naming the link, before anything is sent to the builder.
 */
import { lstat, readdir, readlink } from "node:fs/promises";
import path from "node:path";
import { ImageBuildError } from "./image-builder.ts";

const isInside = (root: string, target: string): boolean => {
  const relative = path.relative(root, target);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
};

async function* symlinks(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) yield file;
    else if (entry.isDirectory()) yield* symlinks(file);
  }
}

/** Throws an ImageBuildError when the context is missing or a symlink in it leads outside it. */
export async function checkBuildContext(contextDir: string, dockerfile: string): Promise<void> {
  const root = path.resolve(contextDir);
  const stat = await lstat(root).catch(() => undefined);
  if (!stat?.isDirectory()) throw new ImageBuildError(`build context ${contextDir} is not a directory`);
  if (!(await lstat(dockerfile).catch(() => undefined))?.isFile()) {
    throw new ImageBuildError(`Dockerfile ${dockerfile} does not exist`);
  }
  for await (const link of symlinks(root)) {
    const target = await readlink(link);
    // Absolute targets are resolved as the builder would see them from the host, not the image.
    const resolved = path.resolve(path.dirname(link), target);
    if (!isInside(root, resolved)) {
      throw new ImageBuildError(
        `the build context has a symlink leading outside it: ${path.relative(root, link)} -> ${target}; ` +
          "copy the file into the context instead",
      );
    }
  }
}

/**
 * A build's artifacts on the local worker: directories under the build's own directory
 * (`<dataDir>/builds/<buildId>/`), which the runner removes when the build ends.
 */
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Artifacts } from "../../build/index.ts";

export class DirectoryArtifacts implements Artifacts {
  readonly #root: string;
  readonly #directories = new Map<string, string>();
  #allocated = 0;

  constructor(root: string) {
    this.#root = root;
  }

  has(artifact: string): boolean {
    return this.#directories.has(artifact);
  }

  names(): string[] {
    return [...this.#directories.keys()];
  }

  directory(artifact: string): string | undefined {
    return this.#directories.get(artifact);
  }

  async readFile(artifact: string, file: string, signal: AbortSignal): Promise<Uint8Array | undefined> {
    const root = this.#directories.get(artifact);
    if (root === undefined) return undefined;
    const full = path.resolve(root, file);
    if (path.relative(root, full).startsWith("..")) return undefined;
    try {
      return await readFile(full, { signal });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") return undefined;
      throw error;
    }
  }

  /** A new empty directory; also for a step's scratch space (put's inputs). */
  async allocate(artifact: string): Promise<string> {
    this.#allocated += 1;
    const dir = path.join(this.#root, `${this.#allocated}-${artifact.replace(/[^\w.-]/g, "_")}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  register(artifact: string, directory: string): void {
    this.#directories.set(artifact, directory);
  }
}

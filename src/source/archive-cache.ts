import type { SourceArchive } from "./tree-archive.ts";

/**
 * The most recently built archives, by what determines their content (commit, ignore rules,
 * includes…), bounded in total bytes: objects sharing a repository and settings build once.
 */
export class ArchiveCache {
  readonly #maxBytes: number;
  readonly #entries = new Map<string, SourceArchive>();
  #bytes = 0;

  constructor(maxBytes = 64 * 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  async getOrBuild(key: string, build: () => Promise<SourceArchive>): Promise<SourceArchive> {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const archive = await build();
    if (archive.size <= this.#maxBytes / 4) this.#add(key, archive);
    return archive;
  }

  #add(key: string, archive: SourceArchive): void {
    this.#entries.set(key, archive);
    this.#bytes += archive.size;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.size;
    }
  }
}

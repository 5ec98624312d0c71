import { createHash, randomUUID } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { compareByteOrder } from "../common/byte-order.ts";

/**
 * The full tag list of each ImageRepository, kept on disk instead of in the API object (Flux keeps
 * it in its own database too; the object's status only carries the revision, count and latest
 * tags). One file per repository, `<root>/<namespace>/<name>.tags.gz`: the tags sorted in byte
 * order, one per line, gzip-compressed, replaced atomically (temporary file, fsync, rename).
 *
 * Memory: for each repository only its revision and tag count, about 230 bytes (measured by
 * tag-store.test.ts) whatever the number of tags; the tags are read from disk when a policy needs them.
 *
 * Bound: at most `maxTags` tags (default 50,000) are kept. Beyond that the store keeps the
 * `maxTags` highest in byte order, the same order that picks an ImageRepository's latestTags, and
 * reports how many it dropped so the controller can warn and suggest an exclusionList.
 */

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export const defaultMaxTags = 50_000;
/** Tags are at most 128 characters (distribution spec) plus the newline. */
const maxLineBytes = 129 * 4;
const kubernetesName = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;

export interface TagStoreOptions {
  maxTags?: number;
}

export interface TagSetInfo {
  /** sha256 (hex) of the stored list: sorted tags, each followed by a newline. */
  revision: string;
  count: number;
}

export interface SaveResult extends TagSetInfo {
  /** False when the stored list already had this revision: nothing was written. */
  changed: boolean;
  /** Tags dropped because the list was longer than `maxTags`. */
  truncated: number;
}

export class TagStore {
  readonly root: string;
  readonly maxTags: number;
  readonly #known = new Map<string, TagSetInfo>();
  readonly #pending = new Map<string, Promise<unknown>>();

  constructor(root: string, options: TagStoreOptions = {}) {
    const maxTags = options.maxTags ?? defaultMaxTags;
    if (!Number.isInteger(maxTags) || maxTags < 1)
      throw new Error(`maxTags must be a positive integer, got ${maxTags}`);
    this.root = root;
    this.maxTags = maxTags;
  }

  /** Stores the tag list unless it equals the stored one (same revision): then nothing is written. */
  async save(namespace: string, name: string, tags: readonly string[]): Promise<SaveResult> {
    const file = this.#file(namespace, name);
    const { sorted, truncated } = this.#normalise(tags);
    const content = Buffer.from(sorted.length === 0 ? "" : `${sorted.join("\n")}\n`, "utf8");
    const info: TagSetInfo = { revision: sha256(content), count: sorted.length };
    return this.#serialised(file, async () => {
      const stored = this.#known.get(file) ?? (await this.#readInfo(file));
      if (stored?.revision === info.revision) {
        this.#known.set(file, stored);
        return { ...info, changed: false, truncated };
      }
      await writeAtomically(file, await gzipAsync(content));
      this.#known.set(file, info);
      return { ...info, changed: true, truncated };
    });
  }

  /** The stored tags in byte order, or undefined when none were ever saved. */
  async load(namespace: string, name: string): Promise<string[] | undefined> {
    const file = this.#file(namespace, name);
    const content = await this.#readContent(file);
    if (content === undefined) return undefined;
    const text = content.toString("utf8");
    const tags = text === "" ? [] : text.slice(0, -1).split("\n");
    this.#known.set(file, { revision: sha256(content), count: tags.length });
    return tags;
  }

  async delete(namespace: string, name: string): Promise<void> {
    const file = this.#file(namespace, name);
    await this.#serialised(file, async () => {
      await rm(file, { force: true });
      this.#known.delete(file);
    });
  }

  /** Revision and count from memory, without touching the disk (undefined until saved or loaded). */
  info(namespace: string, name: string): TagSetInfo | undefined {
    return this.#known.get(this.#file(namespace, name));
  }

  #normalise(tags: readonly string[]): { sorted: string[]; truncated: number } {
    const unique = [...new Set(tags)];
    for (const tag of unique) {
      if (tag === "" || /[\r\n]/.test(tag)) throw new Error(`cannot store tag ${JSON.stringify(tag)}`);
    }
    unique.sort(compareByteOrder);
    const truncated = Math.max(0, unique.length - this.maxTags);
    return { sorted: truncated > 0 ? unique.slice(truncated) : unique, truncated };
  }

  #file(namespace: string, name: string): string {
    for (const [what, value] of [
      ["namespace", namespace],
      ["name", name],
    ] as const) {
      if (!kubernetesName.test(value))
        throw new Error(`invalid ${what} ${JSON.stringify(value)} for the tag store`);
    }
    return path.join(this.root, namespace, `${name}.tags.gz`);
  }

  async #readInfo(file: string): Promise<TagSetInfo | undefined> {
    const content = await this.#readContent(file);
    if (content === undefined) return undefined;
    let count = 0;
    for (const byte of content) if (byte === 0x0a) count++;
    return { revision: sha256(content), count };
  }

  async #readContent(file: string): Promise<Buffer | undefined> {
    let compressed: Buffer;
    try {
      compressed = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    try {
      return await gunzipAsync(compressed, { maxOutputLength: (this.maxTags + 1) * maxLineBytes });
    } catch (error) {
      throw new Error(`tag store file ${file} is unreadable; delete it and the next scan rewrites it`, {
        cause: error,
      });
    }
  }

  /** One operation at a time per file, so a save never races a delete or another save. */
  async #serialised<T>(file: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#pending.get(file) ?? Promise.resolve();
    const current = previous.then(operation, operation);
    const settled = current.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.set(file, settled);
    try {
      return await current;
    } finally {
      if (this.#pending.get(file) === settled) this.#pending.delete(file);
    }
  }
}

function sha256(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

async function writeAtomically(file: string, bytes: Buffer): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomUUID()}.tmp`;
  try {
    const handle = await open(temporary, "wx", 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const directory = await open(dir, "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

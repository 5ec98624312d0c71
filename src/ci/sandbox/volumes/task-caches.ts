/**
 * Task caches (`caches:` in a task config): a directory per pipeline, job, task step and path,
 * kept across builds, under `<dir>/<scope>/<key>` with `<key>.json` beside it naming its owner.
 * Nothing else bounds them, so they are collected: the caches of pipelines and jobs that are gone
 * (and of one-off builds) once no task uses them, and the least recently used beyond `maxBytes`.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { directorySize } from "../rootfs/directory-size.ts";

export interface CacheOwner {
  team: string;
  /** Absent for one-off builds (`sluice ci execute`). */
  pipeline?: { id: number; name: string; instanceVars: Record<string, unknown> } | undefined;
  job?: { id: number; name: string } | undefined;
  buildId: number;
  step: string;
  /** The cache's path in the task's working directory. */
  path: string;
}

export interface TaskCache {
  dir: string;
  owner: CacheOwner;
  bytes: number;
  /** When a task last used it, epoch ms. */
  usedAt: number;
  inUse: boolean;
}

const defaultMaxBytes = 10 * 1024 ** 3;

function location(owner: CacheOwner): { scope: string; key: string } {
  const scope = owner.pipeline ? `${owner.pipeline.id}/${owner.job?.id ?? 0}` : `build-${owner.buildId}/0`;
  const key = createHash("sha256").update(`${owner.step}\0${owner.path}`).digest("hex").slice(0, 32);
  return { scope, key };
}

export class TaskCaches {
  readonly #dir: string;
  readonly #maxBytes: number;
  /** Cache directory → tasks using it now. */
  readonly #users = new Map<string, number>();

  constructor(options: { dir: string; maxBytes?: number | undefined }) {
    this.#dir = options.dir;
    this.#maxBytes = options.maxBytes ?? defaultMaxBytes;
  }

  /** The cache's directory, created when new; it is not collected until `release`. */
  async acquire(owner: CacheOwner): Promise<{ dir: string; release: () => void }> {
    const { scope, key } = location(owner);
    const dir = path.join(this.#dir, scope, key);
    this.#users.set(dir, (this.#users.get(dir) ?? 0) + 1);
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}.json`, JSON.stringify(owner));
    let released = false;
    return {
      dir,
      release: () => {
        if (released) return;
        released = true;
        const left = (this.#users.get(dir) ?? 1) - 1;
        if (left > 0) this.#users.set(dir, left);
        else this.#users.delete(dir);
      },
    };
  }

  async list(): Promise<TaskCache[]> {
    const caches: TaskCache[] = [];
    for (const scope of await this.#scopes()) {
      const scopeDir = path.join(this.#dir, scope);
      for (const name of await readdir(scopeDir).catch(() => [])) {
        if (!name.endsWith(".json")) continue;
        const dir = path.join(scopeDir, name.slice(0, -".json".length));
        const meta = await readFile(path.join(scopeDir, name), "utf8").catch(() => undefined);
        const info = await stat(`${dir}.json`).catch(() => undefined);
        if (meta === undefined || info === undefined) continue;
        caches.push({
          dir,
          owner: JSON.parse(meta) as CacheOwner,
          bytes: await directorySize(dir).catch(() => 0),
          usedAt: info.mtimeMs,
          inUse: this.#users.has(dir),
        });
      }
    }
    return caches;
  }

  /**
   * Removes the caches no task uses whose owner `isLive` denies, then the least recently used
   * beyond the bound; answers what it removed.
   */
  async collect(isLive: (owner: CacheOwner) => Promise<boolean>): Promise<TaskCache[]> {
    const removed: TaskCache[] = [];
    const kept: TaskCache[] = [];
    for (const cache of await this.list()) {
      if (!cache.inUse && !(await isLive(cache.owner))) {
        await this.#remove(cache);
        removed.push(cache);
      } else kept.push(cache);
    }
    let total = kept.reduce((sum, cache) => sum + cache.bytes, 0);
    for (const cache of kept.sort((a, b) => a.usedAt - b.usedAt)) {
      if (total <= this.#maxBytes) break;
      if (cache.inUse) continue;
      await this.#remove(cache);
      removed.push(cache);
      total -= cache.bytes;
    }
    return removed;
  }

  async #scopes(): Promise<string[]> {
    const scopes: string[] = [];
    for (const first of await readdir(this.#dir).catch(() => [])) {
      for (const second of await readdir(path.join(this.#dir, first)).catch(() => []))
        scopes.push(path.join(first, second));
    }
    return scopes;
  }

  async #remove(cache: TaskCache): Promise<void> {
    // the metadata goes first: a half-removed cache is never listed as a live one
    await rm(`${cache.dir}.json`, { force: true });
    const trash = `${cache.dir}.removing`;
    await rename(cache.dir, trash).catch(() => undefined);
    await rm(trash, { recursive: true, force: true });
  }
}

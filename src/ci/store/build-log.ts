/**
 * Build event logs as files: one append-only file of JSON lines per build while it runs, sealed
 * into a gzip file when it ends. The database keeps only the state and size of each log, so a
 * log never becomes rows. Appends to one build are serialised here; each batch is one write.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, truncate, appendFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGzip, gunzip } from "node:zlib";
import type { BuildEvent, BuildEventInput, ReadEventsOptions } from "./store.ts";

const gunzipAsync = promisify(gunzip);
const buildsPerDirectory = 1000;

export class BuildLogSealedError extends Error {
  constructor(buildId: number) {
    super(`the event log of build ${buildId} is sealed: the build has ended`);
    this.name = "BuildLogSealedError";
  }
}

/** Where a store keeps build event logs: files on one machine, or rows every replica reads. */
export interface BuildLogStorage {
  append(buildId: number, events: BuildEventInput[], now: number): Promise<BuildEvent[]>;
  read(buildId: number, options?: ReadEventsOptions): Promise<BuildEvent[]>;
  /** Compresses the finished log; answers its size in bytes (0 when the build wrote nothing). */
  seal(buildId: number): Promise<number>;
  remove(buildId: number): Promise<void>;
}

export class BuildLogFiles implements BuildLogStorage {
  readonly #dir: string;
  readonly #queues = new Map<number, Promise<unknown>>();
  readonly #nextIds = new Map<number, number>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  async append(buildId: number, events: BuildEventInput[], now: number): Promise<BuildEvent[]> {
    return this.#serially(buildId, async () => {
      const file = this.#openPath(buildId);
      const first = this.#nextIds.get(buildId) ?? (await this.#reopen(buildId));
      const written = events.map((e, i): BuildEvent => ({
        id: first + i,
        time: now,
        type: e.type,
        data: e.data,
      }));
      await appendFile(file, eventLines(written));
      this.#nextIds.set(buildId, first + written.length);
      return written;
    });
  }

  async read(buildId: number, options: ReadEventsOptions = {}): Promise<BuildEvent[]> {
    return eventsOf(await this.#readText(buildId), options);
  }

  async seal(buildId: number): Promise<number> {
    return this.#serially(buildId, async () => {
      const open = this.#openPath(buildId);
      const sealed = this.#sealedPath(buildId);
      this.#nextIds.delete(buildId);
      if (!(await exists(open))) return (await exists(sealed)) ? (await stat(sealed)).size : 0;
      const partial = `${sealed}.partial`;
      await pipeline(createReadStream(open), createGzip(), createWriteStream(partial));
      await rename(partial, sealed);
      await rm(open);
      return (await stat(sealed)).size;
    });
  }

  async remove(buildId: number): Promise<void> {
    await this.#serially(buildId, async () => {
      this.#nextIds.delete(buildId);
      await rm(this.#openPath(buildId), { force: true });
      await rm(this.#sealedPath(buildId), { force: true });
    });
  }

  /** Bytes used by the log now, sealed or not. */
  async size(buildId: number): Promise<number> {
    for (const file of [this.#sealedPath(buildId), this.#openPath(buildId)]) {
      const info = await stat(file).catch(() => undefined);
      if (info) return info.size;
    }
    return 0;
  }

  async #readText(buildId: number): Promise<string> {
    const sealed = await readFile(this.#sealedPath(buildId)).catch(ifMissing(undefined));
    if (sealed) return (await gunzipAsync(sealed)).toString("utf8");
    return (await readFile(this.#openPath(buildId), "utf8").catch(ifMissing(undefined))) ?? "";
  }

  /**
   * The next id of a log this process has not appended to yet (a new build, or one that was
   * running before a restart): after the last complete line; a line cut by a crash is dropped.
   */
  async #reopen(buildId: number): Promise<number> {
    if (await exists(this.#sealedPath(buildId))) throw new BuildLogSealedError(buildId);
    const file = this.#openPath(buildId);
    await mkdir(path.dirname(file), { recursive: true });
    const text = (await readFile(file, "utf8").catch(ifMissing(undefined))) ?? "";
    const complete = text.lastIndexOf("\n") + 1;
    if (complete < text.length) await truncate(file, Buffer.byteLength(text.slice(0, complete)));
    const last = completeLines(text).at(-1);
    return last === undefined ? 1 : (JSON.parse(last) as BuildEvent).id + 1;
  }

  #serially<T>(buildId: number, fn: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(buildId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    this.#queues.set(buildId, run);
    const forget = () => {
      if (this.#queues.get(buildId) === run) this.#queues.delete(buildId);
    };
    run.then(forget, forget);
    return run;
  }

  #base(buildId: number): string {
    return path.join(this.#dir, String(Math.floor(buildId / buildsPerDirectory)), String(buildId));
  }

  #openPath(buildId: number): string {
    return `${this.#base(buildId)}.ndjson`;
  }

  #sealedPath(buildId: number): string {
    return `${this.#base(buildId)}.ndjson.gz`;
  }
}

/** The events of a log's JSON lines that `options` asks for. */
export function eventsOf(text: string, options: ReadEventsOptions = {}): BuildEvent[] {
  const afterId = options.afterId ?? 0;
  const events: BuildEvent[] = [];
  for (const line of completeLines(text)) {
    const event = JSON.parse(line) as BuildEvent;
    if (event.id <= afterId) continue;
    events.push(event);
    if (options.limit !== undefined && events.length >= options.limit) break;
  }
  return events;
}

/** JSON lines of events, as the files and the database rows hold them. */
export const eventLines = (events: readonly BuildEvent[]) =>
  events.map((e) => JSON.stringify(e) + "\n").join("");

function completeLines(text: string): string[] {
  const lines = text.split("\n");
  lines.pop(); // the text after the last newline: empty, or a line still being written
  return lines;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, ifMissing(false));
}

function ifMissing<T>(value: T): (error: unknown) => T {
  return (error) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return value;
    throw error;
  };
}

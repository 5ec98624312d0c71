/**
 * Build event logs in the database, for replicas that share no disk: each append is one row of
 * JSON lines while the build runs; sealing gzips them into one blob per build. A log never
 * becomes a row per line.
 */
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { BuildLogSealedError, eventLines, eventsOf, type BuildLogStorage } from "../build-log.ts";
import type { BuildEvent, BuildEventInput, ReadEventsOptions } from "../store.ts";
import type { SqlSession } from "./database.ts";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export class BuildLogRows implements BuildLogStorage {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  append(buildId: number, events: BuildEventInput[], now: number): Promise<BuildEvent[]> {
    return this.#db.transaction(async (tx) => {
      // appends to one build take turns on its row, wherever they come from
      await tx.get("SELECT id FROM builds WHERE id = :buildId FOR UPDATE", { buildId });
      if (await sealed(tx, buildId)) throw new BuildLogSealedError(buildId);
      const { last } = (await tx.get<{ last: number }>(
        "SELECT coalesce(max(last_id), 0) AS last FROM build_log_chunks WHERE build_id = :buildId",
        { buildId },
      ))!;
      const written = events.map((e, i): BuildEvent => ({
        id: last + 1 + i,
        time: now,
        type: e.type,
        data: e.data,
      }));
      if (written.length === 0) return written;
      await tx.run(
        `INSERT INTO build_log_chunks (build_id, first_id, last_id, events)
         VALUES (:buildId, :firstId, :lastId, :events)`,
        { buildId, firstId: written[0]!.id, lastId: written.at(-1)!.id, events: eventLines(written) },
      );
      return written;
    });
  }

  async read(buildId: number, options: ReadEventsOptions = {}): Promise<BuildEvent[]> {
    const blob = await sealed(this.#db, buildId);
    if (blob) return eventsOf((await gunzipAsync(blob)).toString("utf8"), options);
    const chunks = await this.#db.all<{ events: string }>(
      "SELECT events FROM build_log_chunks WHERE build_id = :buildId AND last_id > :afterId ORDER BY first_id",
      { buildId, afterId: options.afterId ?? 0 },
    );
    return eventsOf(chunks.map((c) => c.events).join(""), options);
  }

  seal(buildId: number): Promise<number> {
    return this.#db.transaction(async (tx) => {
      const existing = await sealed(tx, buildId);
      if (existing) return existing.byteLength;
      const chunks = await tx.all<{ events: string }>(
        "SELECT events FROM build_log_chunks WHERE build_id = :buildId ORDER BY first_id",
        { buildId },
      );
      if (chunks.length === 0) return 0;
      const data = await gzipAsync(chunks.map((c) => c.events).join(""));
      await tx.run("INSERT INTO build_log_blobs (build_id, data) VALUES (:buildId, :data)", {
        buildId,
        data,
      });
      await tx.run("DELETE FROM build_log_chunks WHERE build_id = :buildId", { buildId });
      return data.byteLength;
    });
  }

  remove(buildId: number): Promise<void> {
    return this.#db.transaction(async (tx) => {
      await tx.run("DELETE FROM build_log_chunks WHERE build_id = :buildId", { buildId });
      await tx.run("DELETE FROM build_log_blobs WHERE build_id = :buildId", { buildId });
    });
  }
}

async function sealed(q: SqlSession, buildId: number): Promise<Uint8Array | undefined> {
  return (
    await q.get<{ data: Uint8Array }>("SELECT data FROM build_log_blobs WHERE build_id = :buildId", {
      buildId,
    })
  )?.data;
}

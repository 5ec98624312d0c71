/** What the database knows of each build's log: open, sealed (with its size) or reaped. */
import type { LogRetention } from "../store.ts";
import type { RetainedBuild } from "../retention.ts";
import type { SqlSession } from "./database.ts";

export class LogState {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  async markSealed(buildId: number, bytes: number): Promise<void> {
    await this.#db.run("UPDATE builds SET log_state = 'sealed', log_bytes = :bytes WHERE id = :buildId", {
      buildId,
      bytes,
    });
  }

  /** Finished builds whose log was not sealed: the server stopped between the two writes. */
  async unsealedOfFinishedBuilds(): Promise<number[]> {
    const rows = await this.#db.all<{ id: number }>(
      "SELECT id FROM builds WHERE log_state = 'open' AND status NOT IN ('pending', 'started')",
    );
    return rows.map((r) => r.id);
  }

  markReaped(buildIds: number[]): Promise<void> {
    return this.#db.transaction(async (tx) => {
      for (const buildId of buildIds) {
        await tx.run("UPDATE builds SET log_state = 'reaped', log_bytes = 0 WHERE id = :buildId", {
          buildId,
        });
      }
    });
  }

  /** Jobs and their `build_log_retention`, for those that have sealed logs. */
  async jobsWithLogs(): Promise<{ id: number; retention: LogRetention }[]> {
    const rows = await this.#db.all<{ id: number; log_retention: string }>(
      `SELECT id, log_retention FROM jobs j
       WHERE EXISTS (SELECT 1 FROM builds b WHERE b.job_id = j.id AND b.log_state = 'sealed')`,
    );
    return rows.map((r) => ({ id: r.id, retention: JSON.parse(r.log_retention) as LogRetention }));
  }

  /** A job's finished builds that still have a log, newest first. */
  sealedBuildsOfJob(jobId: number): Promise<RetainedBuild[]> {
    return this.#db.all<RetainedBuild>(
      `SELECT id, status, ended_at AS "endedAt" FROM builds
       WHERE job_id = :jobId AND log_state = 'sealed' ORDER BY id DESC`,
      { jobId },
    );
  }

  async sealedBytes(): Promise<number> {
    const row = await this.#db.get<{ bytes: number | null }>(
      "SELECT sum(log_bytes) AS bytes FROM builds WHERE log_state = 'sealed'",
    );
    return row?.bytes ?? 0;
  }

  /** Every sealed log, oldest build first. */
  sealedLogs(): Promise<{ id: number; bytes: number }[]> {
    return this.#db.all("SELECT id, log_bytes AS bytes FROM builds WHERE log_state = 'sealed' ORDER BY id");
  }
}

/** What the database knows of each build's log: open, sealed (with its size) or reaped. */
import type { LogRetention } from "../store.ts";
import type { RetainedBuild } from "../retention.ts";
import type { Sql } from "./connection.ts";

export class LogState {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  markSealed(buildId: number, bytes: number): void {
    this.#sql.run("UPDATE builds SET log_state = 'sealed', log_bytes = :bytes WHERE id = :buildId", {
      buildId,
      bytes,
    });
  }

  /** Finished builds whose log was not sealed: the server stopped between the two writes. */
  unsealedOfFinishedBuilds(): number[] {
    return this.#sql
      .all<{ id: number }>(
        "SELECT id FROM builds WHERE log_state = 'open' AND status NOT IN ('pending', 'started')",
      )
      .map((r) => r.id);
  }

  markReaped(buildIds: number[]): void {
    this.#sql.transaction(() => {
      for (const buildId of buildIds) {
        this.#sql.run("UPDATE builds SET log_state = 'reaped', log_bytes = 0 WHERE id = :buildId", {
          buildId,
        });
      }
    });
  }

  /** Jobs and their `build_log_retention`, for those that have sealed logs. */
  jobsWithLogs(): { id: number; retention: LogRetention }[] {
    return this.#sql
      .all<{ id: number; log_retention: string }>(
        `SELECT id, log_retention FROM jobs j
         WHERE EXISTS (SELECT 1 FROM builds b WHERE b.job_id = j.id AND b.log_state = 'sealed')`,
      )
      .map((r) => ({ id: r.id, retention: JSON.parse(r.log_retention) as LogRetention }));
  }

  /** A job's finished builds that still have a log, newest first. */
  sealedBuildsOfJob(jobId: number): RetainedBuild[] {
    return this.#sql.all<RetainedBuild>(
      `SELECT id, status, ended_at AS endedAt FROM builds
       WHERE job_id = :jobId AND log_state = 'sealed' ORDER BY id DESC`,
      { jobId },
    );
  }

  sealedBytes(): number {
    return (
      this.#sql.get<{ bytes: number | null }>(
        "SELECT sum(log_bytes) AS bytes FROM builds WHERE log_state = 'sealed'",
      )?.bytes ?? 0
    );
  }

  /** Every sealed log, oldest build first. */
  sealedLogs(): { id: number; bytes: number }[] {
    return this.#sql.all("SELECT id, log_bytes AS bytes FROM builds WHERE log_state = 'sealed' ORDER BY id");
  }
}

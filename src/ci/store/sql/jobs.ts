/** Jobs of pipelines, with their serial groups. */
import type { JobRecord } from "../store.ts";
import type { SqlSession } from "./database.ts";
import { flag, toJob, type JobRow } from "./rows.ts";

export class Jobs {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  async list(pipelineId: number): Promise<JobRecord[]> {
    const rows = await this.#db.all<JobRow>(
      "SELECT * FROM jobs WHERE pipeline_id = :pipelineId AND active = 1 ORDER BY id",
      { pipelineId },
    );
    const groups = await this.#db.all<{ job_id: number; name: string }>(
      `SELECT g.job_id, g.name FROM job_serial_groups g JOIN jobs j ON j.id = g.job_id
       WHERE j.pipeline_id = :pipelineId AND j.active = 1 ORDER BY g.name`,
      { pipelineId },
    );
    return rows.map((row) =>
      toJob(
        row,
        groups.filter((g) => g.job_id === row.id).map((g) => g.name),
      ),
    );
  }

  async get(pipelineId: number, name: string): Promise<JobRecord | undefined> {
    const row = await this.#db.get<JobRow>(
      "SELECT * FROM jobs WHERE pipeline_id = :pipelineId AND name = :name AND active = 1",
      { pipelineId, name },
    );
    if (!row) return undefined;
    const groups = await this.#db.all<{ name: string }>(
      "SELECT name FROM job_serial_groups WHERE job_id = :jobId ORDER BY name",
      { jobId: row.id },
    );
    return toJob(
      row,
      groups.map((g) => g.name),
    );
  }

  async pipelineOf(jobId: number): Promise<number | undefined> {
    const row = await this.#db.get<{ pipeline_id: number }>(
      "SELECT pipeline_id FROM jobs WHERE id = :jobId",
      {
        jobId,
      },
    );
    return row?.pipeline_id;
  }

  async setPaused(jobId: number, paused: boolean): Promise<void> {
    await this.#db.run("UPDATE jobs SET paused = :paused WHERE id = :jobId", { jobId, paused: flag(paused) });
  }
}

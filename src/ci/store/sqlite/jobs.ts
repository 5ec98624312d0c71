/** Jobs of pipelines, with their serial groups. */
import type { JobRecord } from "../store.ts";
import type { Sql } from "./connection.ts";
import { flag, toJob, type JobRow } from "./rows.ts";

const selectJob = `SELECT j.*,
  (SELECT group_concat(name, char(10)) FROM (SELECT name FROM job_serial_groups g WHERE g.job_id = j.id ORDER BY name))
    AS serial_groups
  FROM jobs j`;

export class Jobs {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  list(pipelineId: number): JobRecord[] {
    return this.#sql
      .all<JobRow>(`${selectJob} WHERE j.pipeline_id = :pipelineId AND j.active = 1 ORDER BY j.id`, {
        pipelineId,
      })
      .map(toJob);
  }

  get(pipelineId: number, name: string): JobRecord | undefined {
    const row = this.#sql.get<JobRow>(
      `${selectJob} WHERE j.pipeline_id = :pipelineId AND j.name = :name AND j.active = 1`,
      { pipelineId, name },
    );
    return row && toJob(row);
  }

  setPaused(jobId: number, paused: boolean): void {
    this.#sql.run("UPDATE jobs SET paused = :paused WHERE id = :jobId", { jobId, paused: flag(paused) });
  }
}

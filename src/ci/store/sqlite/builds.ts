/** Builds: numbering per job and reruns, status changes, and the versions each used and produced. */
import type {
  BuildInput,
  BuildInputRecord,
  BuildOutput,
  BuildRecord,
  BuildStatus,
  BuildWithVersions,
  ListBuildsOptions,
} from "../store.ts";
import type { Sql } from "./connection.ts";
import { flag, toBuild, type BuildRow } from "./rows.ts";

const unfinished = "status IN ('pending', 'started')";

export class Builds {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  createForJob(jobId: number, manuallyTriggered: boolean, now: number): BuildRecord {
    return this.#sql.transaction(() => {
      const job = this.#sql.get<{ number: number; pipeline_id: number; team_id: number }>(
        `UPDATE jobs SET next_build_number = next_build_number + 1 WHERE id = :jobId
         RETURNING next_build_number - 1 AS number, pipeline_id,
           (SELECT team_id FROM pipelines WHERE pipelines.id = jobs.pipeline_id) AS team_id`,
        { jobId },
      );
      if (!job) throw new Error(`no job with id ${jobId}`);
      return this.#insert({
        teamId: job.team_id,
        pipelineId: job.pipeline_id,
        jobId,
        name: String(job.number),
        manuallyTriggered,
        rerunOf: null,
        now,
      });
    });
  }

  createRerun(buildId: number, now: number): BuildRecord {
    return this.#sql.transaction(() => {
      const original = this.#sql.get<BuildRow & { rerun_count: number }>(
        `UPDATE builds SET rerun_count = rerun_count + 1
         WHERE id = (SELECT coalesce(rerun_of, id) FROM builds WHERE id = :buildId) AND job_id IS NOT NULL
         RETURNING *`,
        { buildId },
      );
      if (!original) throw new Error(`build ${buildId} is not a job build: only job builds can be rerun`);
      return this.#insert({
        teamId: original.team_id,
        pipelineId: original.pipeline_id,
        jobId: original.job_id,
        name: `${original.name}.${original.rerun_count}`,
        manuallyTriggered: true,
        rerunOf: original.id,
        now,
      });
    });
  }

  /** A one-off build (`execute`) is named after its id, as Concourse names them. */
  createOneOff(teamId: number, now: number): BuildRecord {
    return this.#sql.transaction(() => {
      const build = this.#insert({
        teamId,
        pipelineId: null,
        jobId: null,
        name: "",
        manuallyTriggered: true,
        rerunOf: null,
        now,
      });
      this.#sql.run("UPDATE builds SET name = :name WHERE id = :id", {
        id: build.id,
        name: String(build.id),
      });
      return { ...build, name: String(build.id) };
    });
  }

  get(buildId: number): BuildRecord | undefined {
    const row = this.#sql.get<BuildRow>("SELECT * FROM builds WHERE id = :buildId", { buildId });
    return row && toBuild(row);
  }

  getByName(jobId: number, name: string): BuildRecord | undefined {
    const row = this.#sql.get<BuildRow>("SELECT * FROM builds WHERE job_id = :jobId AND name = :name", {
      jobId,
      name,
    });
    return row && toBuild(row);
  }

  listForJob(jobId: number, options: ListBuildsOptions): BuildRecord[] {
    return this.#sql
      .all<BuildRow>(
        "SELECT * FROM builds WHERE job_id = :jobId AND id < :beforeId ORDER BY id DESC LIMIT :limit",
        {
          jobId,
          beforeId: options.beforeId ?? Number.MAX_SAFE_INTEGER,
          limit: options.limit,
        },
      )
      .map(toBuild);
  }

  start(buildId: number, now: number): void {
    this.#sql.run(
      "UPDATE builds SET status = 'started', started_at = :now WHERE id = :buildId AND status = 'pending'",
      {
        buildId,
        now,
      },
    );
  }

  /** Ends a running build; a build already ended keeps its status (an abort racing a finish). */
  finish(buildId: number, status: BuildStatus, now: number): boolean {
    return (
      this.#sql.run(
        `UPDATE builds SET status = :status, ended_at = :now WHERE id = :buildId AND ${unfinished}`,
        {
          buildId,
          status,
          now,
        },
      ).changes === 1
    );
  }

  markOrphansErrored(now: number): number[] {
    return this.#sql
      .all<{ id: number }>(
        `UPDATE builds SET status = 'errored', ended_at = :now WHERE status = 'started' RETURNING id`,
        { now },
      )
      .map((r) => r.id)
      .sort((a, b) => a - b);
  }

  recordInputs(buildId: number, inputs: BuildInput[]): BuildInputRecord[] {
    return this.#sql.transaction(() => {
      const jobId = this.#sql.get<{ job_id: number | null }>(
        "SELECT job_id FROM builds WHERE id = :buildId",
        {
          buildId,
        },
      )?.job_id;
      if (jobId === undefined) throw new Error(`no build with id ${buildId}`);
      this.#sql.run("DELETE FROM build_inputs WHERE build_id = :buildId", { buildId });
      for (const input of inputs) {
        this.#sql.run(
          `INSERT INTO build_inputs (build_id, name, resource_id, version_id, job_id, first_occurrence)
           VALUES (:buildId, :name, :resourceId, :versionId, :jobId, NOT EXISTS (
             SELECT 1 FROM build_inputs WHERE job_id = :jobId AND version_id = :versionId AND name = :name
               AND build_id < :buildId))`,
          { buildId, jobId, name: input.name, resourceId: input.resourceId, versionId: input.versionId },
        );
      }
      return this.#inputs(buildId);
    });
  }

  recordOutputs(buildId: number, outputs: BuildOutput[]): void {
    this.#sql.transaction(() => {
      for (const output of outputs) {
        this.#sql.run(
          `INSERT INTO build_outputs (build_id, name, resource_id, version_id)
           VALUES (:buildId, :name, :resourceId, :versionId) ON CONFLICT DO NOTHING`,
          { buildId, name: output.name, resourceId: output.resourceId, versionId: output.versionId },
        );
      }
    });
  }

  withVersions(buildId: number): BuildWithVersions | undefined {
    const build = this.get(buildId);
    if (!build) return undefined;
    const outputs = this.#sql
      .all<BuildOutput>(
        `SELECT name, resource_id AS resourceId, version_id AS versionId FROM build_outputs
       WHERE build_id = :buildId ORDER BY name, version_id`,
        { buildId },
      )
      .map((output) => ({ ...output }));
    return { build, inputs: this.#inputs(buildId), outputs };
  }

  usingVersion(jobId: number, versionId: number): BuildRecord[] {
    return this.#sql
      .all<BuildRow>(
        `SELECT * FROM builds WHERE id IN (
           SELECT build_id FROM build_inputs WHERE job_id = :jobId AND version_id = :versionId)
         ORDER BY id DESC`,
        { jobId, versionId },
      )
      .map(toBuild);
  }

  latestSucceeded(jobId: number): BuildWithVersions | undefined {
    const row = this.#sql.get<{ id: number }>(
      "SELECT id FROM builds WHERE job_id = :jobId AND status = 'succeeded' ORDER BY id DESC LIMIT 1",
      { jobId },
    );
    return row && this.withVersions(row.id);
  }

  #inputs(buildId: number): BuildInputRecord[] {
    return this.#sql
      .all<BuildInput & { first: number }>(
        `SELECT name, resource_id AS resourceId, version_id AS versionId, first_occurrence AS first
         FROM build_inputs WHERE build_id = :buildId ORDER BY name`,
        { buildId },
      )
      .map(({ first, ...input }) => ({ ...input, firstOccurrence: first === 1 }));
  }

  #insert(b: {
    teamId: number;
    pipelineId: number | null;
    jobId: number | null;
    name: string;
    manuallyTriggered: boolean;
    rerunOf: number | null;
    now: number;
  }): BuildRecord {
    const row = this.#sql.get<BuildRow>(
      `INSERT INTO builds (team_id, pipeline_id, job_id, name, status, manually_triggered, rerun_of, created_at)
       VALUES (:teamId, :pipelineId, :jobId, :name, 'pending', :manual, :rerunOf, :now) RETURNING *`,
      {
        teamId: b.teamId,
        pipelineId: b.pipelineId,
        jobId: b.jobId,
        name: b.name,
        manual: flag(b.manuallyTriggered),
        rerunOf: b.rerunOf,
        now: b.now,
      },
    )!;
    return toBuild(row);
  }
}

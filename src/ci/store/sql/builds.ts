/** Builds: numbering per job and reruns, status changes, and the versions each used and produced. */
import type {
  BuildFilter,
  BuildInput,
  BuildInputRecord,
  BuildOutput,
  BuildPage,
  BuildRecord,
  BuildStatus,
  BuildWithVersions,
  LatestBuilds,
  ListBuildsOptions,
  NewJobBuild,
} from "../store.ts";
import { listBuilds, pageOfBuilds } from "./build-pages.ts";
import type { SqlSession } from "./database.ts";
import { flag, toBuild, type BuildRow } from "./rows.ts";

const unfinished = "status IN ('pending', 'started')";

interface NewBuildRow {
  teamId: number;
  pipelineId: number | null;
  jobId: number | null;
  name: string;
  manuallyTriggered: boolean;
  rerunOf: number | null;
  now: number;
}

export class Builds {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  createForJob(input: NewJobBuild, now: number): Promise<BuildRecord> {
    const { jobId } = input;
    return this.#db.transaction(async (tx) => {
      const job = await tx.get<{ number: number; pipeline_id: number; team_id: number }>(
        `UPDATE jobs SET next_build_number = next_build_number + 1 WHERE id = :jobId
         RETURNING next_build_number - 1 AS number, pipeline_id,
           (SELECT team_id FROM pipelines WHERE pipelines.id = jobs.pipeline_id) AS team_id`,
        { jobId },
      );
      if (!job) throw new Error(`no job with id ${jobId}`);
      const build = await insert(tx, {
        teamId: job.team_id,
        pipelineId: job.pipeline_id,
        jobId,
        name: String(job.number),
        manuallyTriggered: input.manuallyTriggered ?? false,
        rerunOf: null,
        now,
      });
      if (!input.started) return build;
      await this.start(build.id, now, tx);
      return { ...build, status: "started", startedAt: now };
    });
  }

  createRerun(buildId: number, now: number): Promise<BuildRecord> {
    return this.#db.transaction(async (tx) => {
      const original = await tx.get<BuildRow & { rerun_count: number }>(
        `UPDATE builds SET rerun_count = rerun_count + 1
         WHERE id = (SELECT coalesce(rerun_of, id) FROM builds WHERE id = :buildId) AND job_id IS NOT NULL
         RETURNING *`,
        { buildId },
      );
      if (!original) throw new Error(`build ${buildId} is not a job build: only job builds can be rerun`);
      return insert(tx, {
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
  createOneOff(teamId: number, now: number, q: SqlSession = this.#db): Promise<BuildRecord> {
    return q.transaction(async (tx) => {
      const build = await insert(tx, {
        teamId,
        pipelineId: null,
        jobId: null,
        name: "",
        manuallyTriggered: true,
        rerunOf: null,
        now,
      });
      await tx.run("UPDATE builds SET name = :name WHERE id = :id", { id: build.id, name: String(build.id) });
      return { ...build, name: String(build.id) };
    });
  }

  async get(buildId: number, q: SqlSession = this.#db): Promise<BuildRecord | undefined> {
    const row = await q.get<BuildRow>("SELECT * FROM builds WHERE id = :buildId", { buildId });
    return row && toBuild(row);
  }

  async getByName(jobId: number, name: string): Promise<BuildRecord | undefined> {
    const row = await this.#db.get<BuildRow>("SELECT * FROM builds WHERE job_id = :jobId AND name = :name", {
      jobId,
      name,
    });
    return row && toBuild(row);
  }

  async listForJob(jobId: number, options: ListBuildsOptions): Promise<BuildRecord[]> {
    const query = { select: "SELECT * FROM builds b", where: ["b.job_id = :jobId"], params: { jobId } };
    return (await pageOfBuilds<BuildRow>(this.#db, query, options)).map(toBuild);
  }

  /** Two grouped queries for any number of pipelines (the dashboard's jobs). */
  async latestOfJobs(pipelineIds: readonly number[]): Promise<Map<number, LatestBuilds>> {
    const latest = new Map<number, LatestBuilds>();
    if (pipelineIds.length === 0) return latest;
    const params = Object.fromEntries(pipelineIds.map((id, i) => [`p${i}`, id]));
    const names = pipelineIds.map((_, i) => `:p${i}`).join(", ");
    for (const [key, finished] of [
      ["finished", true],
      ["next", false],
    ] as const) {
      const rows = await this.#db.all<BuildRow>(
        `SELECT * FROM builds WHERE id IN (
           SELECT max(id) FROM builds WHERE pipeline_id IN (${names}) AND job_id IS NOT NULL
             AND ${finished ? "NOT " : ""}${unfinished} GROUP BY job_id)`,
        params,
      );
      for (const row of rows) latest.set(row.job_id!, { ...latest.get(row.job_id!), [key]: toBuild(row) });
    }
    return latest;
  }

  list(filter: BuildFilter, options: ListBuildsOptions): Promise<BuildPage> {
    return listBuilds(this.#db, filter, options);
  }

  async start(buildId: number, now: number, q: SqlSession = this.#db): Promise<void> {
    await q.run(
      "UPDATE builds SET status = 'started', started_at = :now WHERE id = :buildId AND status = 'pending'",
      { buildId, now },
    );
  }

  /** Ends a running build; a build already ended keeps its status (an abort racing a finish). */
  async finish(buildId: number, status: BuildStatus, now: number): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE builds SET status = :status, ended_at = :now WHERE id = :buildId AND ${unfinished}`,
      { buildId, status, now },
    );
    return changed === 1;
  }

  async markOrphansErrored(now: number): Promise<number[]> {
    const rows = await this.#db.all<{ id: number }>(
      `UPDATE builds SET status = 'errored', ended_at = :now WHERE status = 'started' RETURNING id`,
      { now },
    );
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  recordInputs(buildId: number, inputs: BuildInput[]): Promise<BuildInputRecord[]> {
    return this.#db.transaction(async (tx) => {
      const jobId = (
        await tx.get<{ job_id: number | null }>("SELECT job_id FROM builds WHERE id = :buildId", { buildId })
      )?.job_id;
      if (jobId === undefined) throw new Error(`no build with id ${buildId}`);
      await tx.run("DELETE FROM build_inputs WHERE build_id = :buildId", { buildId });
      for (const input of inputs) {
        await tx.run(
          `INSERT INTO build_inputs (build_id, name, resource_id, version_id, job_id, first_occurrence)
           VALUES (:buildId, :name, :resourceId, :versionId, :jobId, CASE WHEN EXISTS (
             SELECT 1 FROM build_inputs WHERE job_id = :jobId AND version_id = :versionId AND name = :name
               AND build_id < :buildId) THEN 0 ELSE 1 END)`,
          { buildId, jobId, name: input.name, resourceId: input.resourceId, versionId: input.versionId },
        );
      }
      return inputsOf(tx, buildId);
    });
  }

  recordOutputs(buildId: number, outputs: BuildOutput[]): Promise<void> {
    return this.#db.transaction(async (tx) => {
      for (const output of outputs) {
        await tx.run(
          `INSERT INTO build_outputs (build_id, name, resource_id, version_id)
           VALUES (:buildId, :name, :resourceId, :versionId) ON CONFLICT DO NOTHING`,
          { buildId, name: output.name, resourceId: output.resourceId, versionId: output.versionId },
        );
      }
    });
  }

  async withVersions(buildId: number): Promise<BuildWithVersions | undefined> {
    const build = await this.get(buildId);
    if (!build) return undefined;
    const outputs = await this.#db.all<BuildOutput>(
      `SELECT name, resource_id AS "resourceId", version_id AS "versionId" FROM build_outputs
       WHERE build_id = :buildId ORDER BY name, version_id`,
      { buildId },
    );
    return { build, inputs: await inputsOf(this.#db, buildId), outputs: outputs.map((o) => ({ ...o })) };
  }

  async usingVersion(jobId: number, versionId: number): Promise<BuildRecord[]> {
    const rows = await this.#db.all<BuildRow>(
      `SELECT * FROM builds WHERE id IN (
         SELECT build_id FROM build_inputs WHERE job_id = :jobId AND version_id = :versionId)
       ORDER BY id DESC`,
      { jobId, versionId },
    );
    return rows.map(toBuild);
  }

  async producingDigest(digest: string): Promise<BuildRecord[]> {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return [];
    const rows = await this.#db.all<BuildRow>(
      `SELECT * FROM builds WHERE id IN (
         SELECT o.build_id FROM build_outputs o JOIN resource_versions v ON v.id = o.version_id
         WHERE v.version LIKE :pattern)
       ORDER BY id DESC LIMIT 20`,
      { pattern: `%"digest":"${digest}"%` },
    );
    return rows.map(toBuild);
  }

  async latestSucceeded(jobId: number): Promise<BuildWithVersions | undefined> {
    const row = await this.#db.get<{ id: number }>(
      "SELECT id FROM builds WHERE job_id = :jobId AND status = 'succeeded' ORDER BY id DESC LIMIT 1",
      { jobId },
    );
    return row && this.withVersions(row.id);
  }
}

async function inputsOf(q: SqlSession, buildId: number): Promise<BuildInputRecord[]> {
  const rows = await q.all<BuildInput & { first: number }>(
    `SELECT name, resource_id AS "resourceId", version_id AS "versionId", first_occurrence AS first
     FROM build_inputs WHERE build_id = :buildId ORDER BY name`,
    { buildId },
  );
  return rows.map(({ first, ...input }) => ({ ...input, firstOccurrence: first === 1 }));
}

async function insert(tx: SqlSession, b: NewBuildRow): Promise<BuildRecord> {
  const row = await tx.get<BuildRow>(
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
  );
  return toBuild(row!);
}

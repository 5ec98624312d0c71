/** Teams and pipelines, and the resources, resource types and jobs a pipeline's config declares. */
import { canonicalJson } from "../canonical-json.ts";
import { declaredRows, type DeclaredJob, type DeclaredResource } from "../pipeline-rows.ts";
import type { PipelineRecord, PipelineRef, SetPipelineInput, SetPipelineResult } from "../store.ts";
import type { SqlSession } from "./database.ts";
import { resourceConfigId } from "./resources.ts";
import { flag, toPipeline, type PipelineRow } from "./rows.ts";
import { ensureTeam } from "./teams.ts";

const selectPipeline = `SELECT p.*, t.name AS team FROM pipelines p JOIN teams t ON t.id = p.team_id`;

type Outcome = { ok: false; reason: "ConcurrentChange"; currentVersion: number };

export class Pipelines {
  readonly #db: SqlSession;

  constructor(db: SqlSession) {
    this.#db = db;
  }

  async get(ref: PipelineRef, q: SqlSession = this.#db): Promise<PipelineRecord | undefined> {
    const row = await q.get<PipelineRow>(
      `${selectPipeline} WHERE t.name = :team AND p.name = :name AND p.instance_vars = :vars`,
      { team: ref.team, name: ref.name, vars: canonicalJson(ref.instanceVars ?? {}) },
    );
    return row && toPipeline(row);
  }

  async getById(id: number, q: SqlSession = this.#db): Promise<PipelineRecord | undefined> {
    const row = await q.get<PipelineRow>(`${selectPipeline} WHERE p.id = :id`, { id });
    return row && toPipeline(row);
  }

  async list(team: string): Promise<PipelineRecord[]> {
    const rows = await this.#db.all<PipelineRow>(
      `${selectPipeline} WHERE t.name = :team ORDER BY p.name, p.instance_vars`,
      { team },
    );
    return rows.map(toPipeline);
  }

  /**
   * The insert and the update are both conditional, so a concurrent set (another request, or
   * another replica) is reported rather than overwritten.
   */
  set(input: SetPipelineInput, now: number): Promise<SetPipelineResult> {
    return this.#db.transaction(async (tx) => {
      const team = await ensureTeam(tx, input.team, now);
      const existing = await this.get(input, tx);
      const currentVersion = existing?.configVersion ?? 0;
      const conflict: Outcome = { ok: false, reason: "ConcurrentChange", currentVersion };
      if (currentVersion !== input.expectedVersion) return conflict;
      const id = existing
        ? await this.#update(tx, existing.id, input, now)
        : await this.#insert(tx, team.id, input, now);
      if (id === undefined) return { ...conflict, currentVersion: currentVersion + 1 };
      const declared = declaredRows(input.config);
      await this.#syncResources(tx, "resources", id, declared.resources);
      await this.#syncResources(tx, "resource_types", id, declared.resourceTypes);
      await this.#syncJobs(tx, id, declared.jobs);
      return { ok: true, pipeline: (await this.getById(id, tx))!, created: !existing };
    });
  }

  async setPaused(id: number, paused: boolean, now: number): Promise<void> {
    await this.#db.run("UPDATE pipelines SET paused = :paused, updated_at = :now WHERE id = :id", {
      id,
      paused: flag(paused),
      now,
    });
  }

  async setParent(id: number, jobId: number, buildId: number): Promise<void> {
    await this.#db.run(
      "UPDATE pipelines SET parent_job_id = :jobId, parent_build_id = :buildId WHERE id = :id",
      { id, jobId, buildId },
    );
  }

  /** Archives the live pipelines `jobId` set in a build before `buildId`; answers their ids. */
  archiveOrphans(jobId: number, buildId: number, now: number): Promise<number[]> {
    return this.#db.transaction(async (tx) => {
      const orphans = await tx.all<{ id: number }>(
        "SELECT id FROM pipelines WHERE parent_job_id = :jobId AND parent_build_id < :buildId AND archived = 0",
        { jobId, buildId },
      );
      for (const { id } of orphans) await this.archive(id, now, tx);
      return orphans.map((o) => o.id);
    });
  }

  async archive(id: number, now: number, q: SqlSession = this.#db): Promise<void> {
    await q.run("UPDATE pipelines SET archived = 1, paused = 1, updated_at = :now WHERE id = :id", {
      id,
      now,
    });
  }

  destroy(id: number): Promise<number[]> {
    return this.#db.transaction(async (tx) => {
      const builds = await tx.all<{ id: number }>("SELECT id FROM builds WHERE pipeline_id = :id", { id });
      await tx.run("DELETE FROM pipelines WHERE id = :id", { id });
      return builds.map((b) => b.id);
    });
  }

  /** Undefined when a pipeline of that name appeared since the caller looked. */
  async #insert(tx: SqlSession, teamId: number, input: SetPipelineInput, now: number) {
    const row = await tx.get<{ id: number }>(
      `INSERT INTO pipelines (team_id, name, instance_vars, config_yaml, config_version, paused, created_at, updated_at)
       VALUES (:team, :name, :vars, :yaml, 1, :paused, :now, :now)
       ON CONFLICT (team_id, name, instance_vars) DO NOTHING RETURNING id`,
      {
        team: teamId,
        name: input.name,
        vars: canonicalJson(input.instanceVars ?? {}),
        yaml: input.configYaml,
        paused: flag(input.pausedWhenCreated),
        now,
      },
    );
    return row?.id;
  }

  /** Undefined when the pipeline was set again since the caller read its version. */
  async #update(tx: SqlSession, id: number, input: SetPipelineInput, now: number) {
    const changed = await tx.run(
      `UPDATE pipelines SET config_yaml = :yaml, config_version = config_version + 1, archived = 0, updated_at = :now
       WHERE id = :id AND config_version = :expected`,
      { id, yaml: input.configYaml, now, expected: input.expectedVersion },
    );
    return changed === 1 ? id : undefined;
  }

  /** Resources no longer declared stay as inactive rows so their history survives a re-add. */
  async #syncResources(
    tx: SqlSession,
    table: "resources" | "resource_types",
    pipelineId: number,
    declared: DeclaredResource[],
  ): Promise<void> {
    await tx.run(`UPDATE ${table} SET active = 0 WHERE pipeline_id = :pipelineId`, { pipelineId });
    for (const r of declared) {
      await this.#renameOld(tx, table, pipelineId, r);
      const configId = await resourceConfigId(tx, r.type, r.configHash);
      // A pin names a version of the old config; it cannot carry over to a new one.
      const keepPin =
        table === "resources"
          ? ", pinned_version_id = CASE WHEN resources.resource_config_id = excluded.resource_config_id THEN resources.pinned_version_id END"
          : "";
      await tx.run(
        `INSERT INTO ${table} (pipeline_id, name, type, resource_config_id, check_every, active)
         VALUES (:pipelineId, :name, :type, :configId, :checkEvery, 1)
         ON CONFLICT (pipeline_id, name) DO UPDATE SET type = excluded.type,
           resource_config_id = excluded.resource_config_id, check_every = excluded.check_every, active = 1${keepPin}`,
        { pipelineId, name: r.name, type: r.type, configId, checkEvery: r.checkEvery ?? null },
      );
    }
  }

  async #syncJobs(tx: SqlSession, pipelineId: number, declared: DeclaredJob[]): Promise<void> {
    await tx.run("UPDATE jobs SET active = 0 WHERE pipeline_id = :pipelineId", { pipelineId });
    for (const job of declared) {
      await this.#renameOld(tx, "jobs", pipelineId, job);
      const { id: jobId } = (await tx.get<{ id: number }>(
        `INSERT INTO jobs (pipeline_id, name, serial, max_in_flight, interruptible, disable_manual_trigger, log_retention, active)
         VALUES (:pipelineId, :name, :serial, :maxInFlight, :interruptible, :disableManualTrigger, :logRetention, 1)
         ON CONFLICT (pipeline_id, name) DO UPDATE SET serial = excluded.serial, max_in_flight = excluded.max_in_flight,
           interruptible = excluded.interruptible, disable_manual_trigger = excluded.disable_manual_trigger,
           log_retention = excluded.log_retention, active = 1
         RETURNING id`,
        {
          pipelineId,
          name: job.name,
          serial: flag(job.serial),
          maxInFlight: job.maxInFlight ?? null,
          interruptible: flag(job.interruptible),
          disableManualTrigger: flag(job.disableManualTrigger),
          logRetention: canonicalJson(job.logRetention),
        },
      ))!;
      await tx.run("DELETE FROM job_serial_groups WHERE job_id = :jobId", { jobId });
      for (const name of job.serialGroups) {
        await tx.run(
          "INSERT INTO job_serial_groups (job_id, name) VALUES (:jobId, :name) ON CONFLICT DO NOTHING",
          { jobId, name },
        );
      }
    }
  }

  /** `old_name`: the row under the old name takes the new one, keeping its history. */
  async #renameOld(
    tx: SqlSession,
    table: "resources" | "resource_types" | "jobs",
    pipelineId: number,
    row: { name: string; oldName: string | undefined },
  ): Promise<void> {
    if (!row.oldName || row.oldName === row.name) return;
    await tx.run(
      `UPDATE ${table} SET name = :name WHERE pipeline_id = :pipelineId AND name = :oldName
       AND NOT EXISTS (SELECT 1 FROM ${table} WHERE pipeline_id = :pipelineId AND name = :name)`,
      { pipelineId, name: row.name, oldName: row.oldName },
    );
  }
}

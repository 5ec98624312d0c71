/** Teams and pipelines, and the resources, resource types and jobs a pipeline's config declares. */
import { canonicalJson } from "../canonical-json.ts";
import { declaredRows, type DeclaredJob, type DeclaredResource } from "../pipeline-rows.ts";
import type { PipelineRecord, PipelineRef, SetPipelineInput, SetPipelineResult, Team } from "../store.ts";
import type { Sql } from "./connection.ts";
import { resourceConfigId } from "./resources.ts";
import { flag, toPipeline, type PipelineRow } from "./rows.ts";

const selectPipeline = `SELECT p.*, t.name AS team FROM pipelines p JOIN teams t ON t.id = p.team_id`;

export class Pipelines {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  ensureTeam(name: string, now: number): Team {
    this.#sql.run("INSERT INTO teams (name, created_at) VALUES (:name, :now) ON CONFLICT (name) DO NOTHING", {
      name,
      now,
    });
    return this.#sql.get<Team>("SELECT id, name FROM teams WHERE name = :name", { name })!;
  }

  listTeams(): Team[] {
    return this.#sql.all<Team>("SELECT id, name FROM teams ORDER BY name");
  }

  get(ref: PipelineRef): PipelineRecord | undefined {
    const row = this.#sql.get<PipelineRow>(
      `${selectPipeline} WHERE t.name = :team AND p.name = :name AND p.instance_vars = :vars`,
      { team: ref.team, name: ref.name, vars: canonicalJson(ref.instanceVars ?? {}) },
    );
    return row && toPipeline(row);
  }

  getById(id: number): PipelineRecord | undefined {
    const row = this.#sql.get<PipelineRow>(`${selectPipeline} WHERE p.id = :id`, { id });
    return row && toPipeline(row);
  }

  list(team: string): PipelineRecord[] {
    return this.#sql
      .all<PipelineRow>(`${selectPipeline} WHERE t.name = :team ORDER BY p.name, p.instance_vars`, { team })
      .map(toPipeline);
  }

  set(input: SetPipelineInput, now: number): SetPipelineResult {
    return this.#sql.transaction(() => {
      const team = this.ensureTeam(input.team, now);
      const existing = this.get(input);
      const currentVersion = existing?.configVersion ?? 0;
      if (currentVersion !== input.expectedVersion)
        return { ok: false, reason: "ConcurrentChange", currentVersion };
      const id = existing
        ? this.#update(existing.id, input.configYaml, now)
        : this.#insert(team.id, input, now);
      const declared = declaredRows(input.config);
      this.#syncResources("resources", id, declared.resources);
      this.#syncResources("resource_types", id, declared.resourceTypes);
      this.#syncJobs(id, declared.jobs);
      return { ok: true, pipeline: this.getById(id)!, created: !existing };
    });
  }

  setPaused(id: number, paused: boolean, now: number): void {
    this.#sql.run("UPDATE pipelines SET paused = :paused, updated_at = :now WHERE id = :id", {
      id,
      paused: flag(paused),
      now,
    });
  }

  setParent(id: number, jobId: number, buildId: number): void {
    this.#sql.run("UPDATE pipelines SET parent_job_id = :jobId, parent_build_id = :buildId WHERE id = :id", {
      id,
      jobId,
      buildId,
    });
  }

  /** Archives the live pipelines `jobId` set in a build before `buildId`; answers their ids. */
  archiveOrphans(jobId: number, buildId: number, now: number): number[] {
    return this.#sql.transaction(() => {
      const orphans = this.#sql.all<{ id: number }>(
        "SELECT id FROM pipelines WHERE parent_job_id = :jobId AND parent_build_id < :buildId AND archived = 0",
        { jobId, buildId },
      );
      for (const { id } of orphans) this.archive(id, now);
      return orphans.map((o) => o.id);
    });
  }

  archive(id: number, now: number): void {
    this.#sql.run("UPDATE pipelines SET archived = 1, paused = 1, updated_at = :now WHERE id = :id", {
      id,
      now,
    });
  }

  destroy(id: number): number[] {
    return this.#sql.transaction(() => {
      const builds = this.#sql.all<{ id: number }>("SELECT id FROM builds WHERE pipeline_id = :id", { id });
      this.#sql.run("DELETE FROM pipelines WHERE id = :id", { id });
      return builds.map((b) => b.id);
    });
  }

  #insert(teamId: number, input: SetPipelineInput, now: number): number {
    return this.#sql.run(
      `INSERT INTO pipelines (team_id, name, instance_vars, config_yaml, config_version, paused, created_at, updated_at)
       VALUES (:team, :name, :vars, :yaml, 1, :paused, :now, :now)`,
      {
        team: teamId,
        name: input.name,
        vars: canonicalJson(input.instanceVars ?? {}),
        yaml: input.configYaml,
        paused: flag(input.pausedWhenCreated),
        now,
      },
    ).lastId;
  }

  #update(id: number, yaml: string, now: number): number {
    this.#sql.run(
      `UPDATE pipelines SET config_yaml = :yaml, config_version = config_version + 1, archived = 0, updated_at = :now
       WHERE id = :id`,
      { id, yaml, now },
    );
    return id;
  }

  /** Resources no longer declared stay as inactive rows so their history survives a re-add. */
  #syncResources(
    table: "resources" | "resource_types",
    pipelineId: number,
    declared: DeclaredResource[],
  ): void {
    this.#sql.run(`UPDATE ${table} SET active = 0 WHERE pipeline_id = :pipelineId`, { pipelineId });
    for (const r of declared) {
      this.#renameOld(table, pipelineId, r);
      const configId = resourceConfigId(this.#sql, r.type, r.configHash);
      // A pin names a version of the old config; it cannot carry over to a new one.
      const keepPin =
        table === "resources"
          ? ", pinned_version_id = CASE WHEN resources.resource_config_id = excluded.resource_config_id THEN resources.pinned_version_id END"
          : "";
      this.#sql.run(
        `INSERT INTO ${table} (pipeline_id, name, type, resource_config_id, check_every, active)
         VALUES (:pipelineId, :name, :type, :configId, :checkEvery, 1)
         ON CONFLICT (pipeline_id, name) DO UPDATE SET type = excluded.type,
           resource_config_id = excluded.resource_config_id, check_every = excluded.check_every, active = 1${keepPin}`,
        { pipelineId, name: r.name, type: r.type, configId, checkEvery: r.checkEvery ?? null },
      );
    }
  }

  #syncJobs(pipelineId: number, declared: DeclaredJob[]): void {
    this.#sql.run("UPDATE jobs SET active = 0 WHERE pipeline_id = :pipelineId", { pipelineId });
    for (const job of declared) {
      this.#renameOld("jobs", pipelineId, job);
      const { lastId } = this.#sql.run(
        `INSERT INTO jobs (pipeline_id, name, serial, max_in_flight, interruptible, disable_manual_trigger, log_retention, active)
         VALUES (:pipelineId, :name, :serial, :maxInFlight, :interruptible, :disableManualTrigger, :logRetention, 1)
         ON CONFLICT (pipeline_id, name) DO UPDATE SET serial = excluded.serial, max_in_flight = excluded.max_in_flight,
           interruptible = excluded.interruptible, disable_manual_trigger = excluded.disable_manual_trigger,
           log_retention = excluded.log_retention, active = 1`,
        {
          pipelineId,
          name: job.name,
          serial: flag(job.serial),
          maxInFlight: job.maxInFlight ?? null,
          interruptible: flag(job.interruptible),
          disableManualTrigger: flag(job.disableManualTrigger),
          logRetention: canonicalJson(job.logRetention),
        },
      );
      const jobId =
        this.#sql.get<{ id: number }>(
          "SELECT id FROM jobs WHERE pipeline_id = :pipelineId AND name = :name",
          {
            pipelineId,
            name: job.name,
          },
        )?.id ?? lastId;
      this.#sql.run("DELETE FROM job_serial_groups WHERE job_id = :jobId", { jobId });
      for (const name of job.serialGroups) {
        this.#sql.run(
          "INSERT INTO job_serial_groups (job_id, name) VALUES (:jobId, :name) ON CONFLICT DO NOTHING",
          { jobId, name },
        );
      }
    }
  }

  /** `old_name`: the row under the old name takes the new one, keeping its history. */
  #renameOld(
    table: "resources" | "resource_types" | "jobs",
    pipelineId: number,
    row: { name: string; oldName: string | undefined },
  ): void {
    if (!row.oldName || row.oldName === row.name) return;
    this.#sql.run(
      `UPDATE ${table} SET name = :name WHERE pipeline_id = :pipelineId AND name = :oldName
       AND NOT EXISTS (SELECT 1 FROM ${table} WHERE pipeline_id = :pipelineId AND name = :name)`,
      { pipelineId, name: row.name, oldName: row.oldName },
    );
  }
}

/**
 * The CI store on node:sqlite: `<dataDir>/ci.db` for the tables and `<dataDir>/build-logs/` for
 * the event logs. node:sqlite is synchronous; the async interface is the one PostgreSQL needs.
 */
import path from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { BuildLogFiles } from "../build-log.ts";
import { buildsToReap, logsOverBound } from "../retention.ts";
import type {
  BuildEventInput,
  BuildStatus,
  CiStore,
  NewJobBuild,
  NewOneOffBuild,
  ReadEventsOptions,
  ReapOptions,
  SetPipelineInput,
} from "../store.ts";
import { Builds } from "./builds.ts";
import { openDatabase, Sql } from "./connection.ts";
import { LogState } from "./log-state.ts";
import { migrate } from "./migrations.ts";
import { Pipelines } from "./pipelines.ts";
import { Resources } from "./resources.ts";
import { Versions } from "./versions.ts";
import { jobs } from "./jobs.ts";

export const BUILD_LOGS_DIRECTORY = "build-logs";

export interface SqliteStoreOptions {
  dataDir: string;
  /** The clock of writes that do not take a time (team and pipeline timestamps). */
  now?: () => number;
}

export class SqliteCiStore implements CiStore {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #pipelines: Pipelines;
  readonly #resources: Resources;
  readonly #versions: Versions;
  readonly #builds: Builds;
  readonly #logState: LogState;
  readonly #logs: BuildLogFiles;
  readonly #jobs: ReturnType<typeof jobs>;

  private constructor(db: DatabaseSync, options: SqliteStoreOptions) {
    const sql = new Sql(db);
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#pipelines = new Pipelines(sql);
    this.#resources = new Resources(sql);
    this.#versions = new Versions(sql);
    this.#builds = new Builds(sql);
    this.#logState = new LogState(sql);
    this.#jobs = jobs(sql);
    this.#logs = new BuildLogFiles(path.join(options.dataDir, BUILD_LOGS_DIRECTORY));
  }

  /** Opens (creating if needed) and migrates the database; refuses one from a newer Sluice. */
  static async open(options: SqliteStoreOptions): Promise<SqliteCiStore> {
    const db = openDatabase(options.dataDir);
    try {
      migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteCiStore(db, options);
  }

  async ensureTeam(name: string) {
    return this.#pipelines.ensureTeam(name, this.#now());
  }

  async listTeams() {
    return this.#pipelines.listTeams();
  }

  async setPipeline(input: SetPipelineInput) {
    return this.#pipelines.set(input, this.#now());
  }

  async getPipeline(ref: Parameters<CiStore["getPipeline"]>[0]) {
    return this.#pipelines.get(ref);
  }

  async listPipelines(team: string) {
    return this.#pipelines.list(team);
  }

  async setPipelinePaused(pipelineId: number, paused: boolean) {
    this.#pipelines.setPaused(pipelineId, paused, this.#now());
  }

  async archivePipeline(pipelineId: number) {
    this.#pipelines.archive(pipelineId, this.#now());
  }

  async destroyPipeline(pipelineId: number) {
    const builds = this.#pipelines.destroy(pipelineId);
    for (const buildId of builds) await this.#logs.remove(buildId);
  }

  async listResources(pipelineId: number) {
    return this.#resources.list(pipelineId);
  }

  async getResource(pipelineId: number, name: string) {
    return this.#resources.get(pipelineId, name);
  }

  async listResourceTypes(pipelineId: number) {
    return this.#resources.listTypes(pipelineId);
  }

  async useResourceConfig(resourceId: number, type: string, configHash: string) {
    return this.#resources.useConfig(resourceId, type, configHash);
  }

  async recordCheck(resourceId: number, outcome: Parameters<CiStore["recordCheck"]>[1]) {
    this.#resources.recordCheck(resourceId, outcome);
  }

  async pinVersion(resourceId: number, versionId: number, comment: string | undefined) {
    this.#resources.pin(resourceId, versionId, comment ?? null);
  }

  async unpinVersion(resourceId: number) {
    this.#resources.pin(resourceId, null, null);
  }

  async saveVersions(resourceConfigId: number, versions: Parameters<CiStore["saveVersions"]>[1]) {
    return this.#versions.save(resourceConfigId, versions);
  }

  async findVersion(resourceConfigId: number, version: Parameters<CiStore["findVersion"]>[1]) {
    return this.#versions.find(resourceConfigId, version);
  }

  async listVersions(resourceId: number, options: { limit: number }) {
    return this.#versions.list(resourceId, options.limit);
  }

  async latestVersion(resourceId: number) {
    return this.#versions.latest(resourceId);
  }

  async setVersionEnabled(resourceId: number, versionId: number, enabled: boolean) {
    this.#versions.setEnabled(resourceId, versionId, enabled);
  }

  async listJobs(pipelineId: number) {
    return this.#jobs.list(pipelineId);
  }

  async getJob(pipelineId: number, name: string) {
    return this.#jobs.get(pipelineId, name);
  }

  async setJobPaused(jobId: number, paused: boolean) {
    this.#jobs.setPaused(jobId, paused);
  }

  async createJobBuild(input: NewJobBuild) {
    return this.#builds.createForJob(input.jobId, input.manuallyTriggered ?? false, this.#now());
  }

  async createRerunBuild(buildId: number) {
    return this.#builds.createRerun(buildId, this.#now());
  }

  async createOneOffBuild(input: NewOneOffBuild) {
    const now = this.#now();
    return this.#builds.createOneOff(this.#pipelines.ensureTeam(input.team, now).id, now);
  }

  async getBuild(buildId: number) {
    return this.#builds.get(buildId);
  }

  async getJobBuild(jobId: number, name: string) {
    return this.#builds.getByName(jobId, name);
  }

  async listJobBuilds(jobId: number, options: Parameters<CiStore["listJobBuilds"]>[1]) {
    return this.#builds.listForJob(jobId, options);
  }

  async startBuild(buildId: number, now: number) {
    this.#builds.start(buildId, now);
  }

  async finishBuild(buildId: number, status: BuildStatus, now: number) {
    if (this.#builds.finish(buildId, status, now)) await this.#sealLog(buildId);
  }

  async markOrphanedBuildsErrored(now: number) {
    const orphans = this.#builds.markOrphansErrored(now);
    for (const buildId of orphans) {
      const event = {
        type: "status",
        data: { status: "errored", reason: "the server stopped during the build" },
      };
      await this.#logs.append(buildId, [event], now);
      await this.#sealLog(buildId);
    }
    return orphans;
  }

  async recordBuildInputs(buildId: number, inputs: Parameters<CiStore["recordBuildInputs"]>[1]) {
    return this.#builds.recordInputs(buildId, inputs);
  }

  async recordBuildOutputs(buildId: number, outputs: Parameters<CiStore["recordBuildOutputs"]>[1]) {
    this.#builds.recordOutputs(buildId, outputs);
  }

  async buildVersions(buildId: number) {
    return this.#builds.withVersions(buildId);
  }

  async buildsUsingVersion(jobId: number, versionId: number) {
    return this.#builds.usingVersion(jobId, versionId);
  }

  async latestSuccessfulBuild(jobId: number) {
    return this.#builds.latestSucceeded(jobId);
  }

  async appendBuildEvents(buildId: number, events: BuildEventInput[], now: number) {
    return this.#logs.append(buildId, events, now);
  }

  async readBuildEvents(buildId: number, options?: ReadEventsOptions) {
    return this.#logs.read(buildId, options);
  }

  async reapBuildLogs(options: ReapOptions) {
    const reaped = new Set<number>();
    for (const job of this.#logState.jobsWithLogs()) {
      const retention = { ...options.defaultRetention, ...job.retention };
      const builds = this.#logState.sealedBuildsOfJob(job.id);
      for (const id of buildsToReap(builds, retention, options.now)) reaped.add(id);
    }
    await this.#removeLogs([...reaped]);
    if (options.maxLogBytes !== undefined && this.#logState.sealedBytes() > options.maxLogBytes) {
      const overBound = logsOverBound(this.#logState.sealedLogs(), options.maxLogBytes);
      await this.#removeLogs(overBound);
      for (const id of overBound) reaped.add(id);
    }
    return [...reaped].sort((a, b) => a - b);
  }

  async close() {
    if (this.#db.isOpen) this.#db.close();
  }

  async #sealLog(buildId: number) {
    this.#logState.markSealed(buildId, await this.#logs.seal(buildId));
  }

  async #removeLogs(buildIds: number[]) {
    this.#logState.markReaped(buildIds);
    for (const buildId of buildIds) await this.#logs.remove(buildId);
  }
}

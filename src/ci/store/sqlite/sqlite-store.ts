/**
 * The CI store on node:sqlite: `<dataDir>/ci.db` for the tables and `<dataDir>/build-logs/` for
 * the event logs. node:sqlite is synchronous; the async interface is the one PostgreSQL needs.
 */
import path from "node:path";
import type { DatabaseSync } from "node:sqlite";
import type { Version } from "../../pipeline/fields.ts";
import { BuildLogFiles } from "../build-log.ts";
import { buildsToReap, logsOverBound } from "../retention.ts";
import type {
  BuildEventInput,
  BuildInput,
  BuildOutput,
  BuildStatus,
  CheckOutcome,
  CiStore,
  ListBuildsOptions,
  NewJobBuild,
  NewOneOffBuild,
  NewVersion,
  PipelineRef,
  ReadEventsOptions,
  ReapOptions,
  SetPipelineInput,
} from "../store.ts";
import { Builds } from "./builds.ts";
import { openDatabase, Sql } from "./connection.ts";
import { Jobs } from "./jobs.ts";
import { LogState } from "./log-state.ts";
import { migrate } from "./migrations.ts";
import { Pipelines } from "./pipelines.ts";
import { Resources } from "./resources.ts";
import { Versions } from "./versions.ts";

/** node:sqlite answers at once; the interface is async for PostgreSQL. A throw becomes a rejection. */
function answer<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}

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
  readonly #jobs: Jobs;

  private constructor(db: DatabaseSync, options: SqliteStoreOptions) {
    const sql = new Sql(db);
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#pipelines = new Pipelines(sql);
    this.#resources = new Resources(sql);
    this.#versions = new Versions(sql);
    this.#builds = new Builds(sql);
    this.#logState = new LogState(sql);
    this.#jobs = new Jobs(sql);
    this.#logs = new BuildLogFiles(path.join(options.dataDir, BUILD_LOGS_DIRECTORY));
  }

  /** Opens (creating if needed) and migrates the database; refuses one from a newer Sluice. */
  static open(options: SqliteStoreOptions): Promise<SqliteCiStore> {
    return answer(() => {
      const db = openDatabase(options.dataDir);
      try {
        migrate(db);
      } catch (error) {
        db.close();
        throw error;
      }
      return new SqliteCiStore(db, options);
    });
  }

  ensureTeam(name: string) {
    return answer(() => this.#pipelines.ensureTeam(name, this.#now()));
  }

  listTeams() {
    return answer(() => this.#pipelines.listTeams());
  }

  setPipeline(input: SetPipelineInput) {
    return answer(() => this.#pipelines.set(input, this.#now()));
  }

  getPipeline(ref: PipelineRef) {
    return answer(() => this.#pipelines.get(ref));
  }

  listPipelines(team: string) {
    return answer(() => this.#pipelines.list(team));
  }

  setPipelinePaused(pipelineId: number, paused: boolean) {
    return answer(() => this.#pipelines.setPaused(pipelineId, paused, this.#now()));
  }

  archivePipeline(pipelineId: number) {
    return answer(() => this.#pipelines.archive(pipelineId, this.#now()));
  }

  setPipelineParent(pipelineId: number, parent: { jobId: number; buildId: number }) {
    return answer(() => this.#pipelines.setParent(pipelineId, parent.jobId, parent.buildId));
  }

  archivePipelinesNoLongerSet(jobId: number, buildId: number) {
    return answer(() => this.#pipelines.archiveOrphans(jobId, buildId, this.#now()));
  }

  async destroyPipeline(pipelineId: number) {
    const builds = this.#pipelines.destroy(pipelineId);
    for (const buildId of builds) await this.#logs.remove(buildId);
  }

  listResources(pipelineId: number) {
    return answer(() => this.#resources.list(pipelineId));
  }

  getResource(pipelineId: number, name: string) {
    return answer(() => this.#resources.get(pipelineId, name));
  }

  useResourceConfig(resourceId: number, type: string, configHash: string) {
    return answer(() => this.#resources.useConfig(resourceId, type, configHash));
  }

  recordCheck(resourceId: number, outcome: CheckOutcome) {
    return answer(() => this.#resources.recordCheck(resourceId, outcome));
  }

  pinVersion(resourceId: number, versionId: number, comment: string | undefined) {
    return answer(() => this.#resources.pin(resourceId, versionId, comment ?? null));
  }

  unpinVersion(resourceId: number) {
    return answer(() => this.#resources.pin(resourceId, null, null));
  }

  saveVersions(resourceConfigId: number, versions: NewVersion[]) {
    return answer(() => this.#versions.save(resourceConfigId, versions));
  }

  findVersion(resourceConfigId: number, version: Version) {
    return answer(() => this.#versions.find(resourceConfigId, version));
  }

  getVersion(versionId: number) {
    return answer(() => this.#versions.get(versionId));
  }

  listVersions(resourceId: number, options: { limit: number }) {
    return answer(() => this.#versions.list(resourceId, options.limit));
  }

  latestVersion(resourceId: number) {
    return answer(() => this.#versions.latest(resourceId));
  }

  setVersionEnabled(resourceId: number, versionId: number, enabled: boolean) {
    return answer(() => this.#versions.setEnabled(resourceId, versionId, enabled));
  }

  listJobs(pipelineId: number) {
    return answer(() => this.#jobs.list(pipelineId));
  }

  getJob(pipelineId: number, name: string) {
    return answer(() => this.#jobs.get(pipelineId, name));
  }

  setJobPaused(jobId: number, paused: boolean) {
    return answer(() => this.#jobs.setPaused(jobId, paused));
  }

  createJobBuild(input: NewJobBuild) {
    return answer(() => {
      const now = this.#now();
      const build = this.#builds.createForJob(input.jobId, input.manuallyTriggered ?? false, now);
      if (!input.started) return build;
      this.#builds.start(build.id, now);
      return { ...build, status: "started" as const, startedAt: now };
    });
  }

  createRerunBuild(buildId: number) {
    return answer(() => this.#builds.createRerun(buildId, this.#now()));
  }

  createOneOffBuild(input: NewOneOffBuild) {
    return answer(() => {
      const now = this.#now();
      return this.#builds.createOneOff(this.#pipelines.ensureTeam(input.team, now).id, now);
    });
  }

  getBuild(buildId: number) {
    return answer(() => this.#builds.get(buildId));
  }

  getJobBuild(jobId: number, name: string) {
    return answer(() => this.#builds.getByName(jobId, name));
  }

  listJobBuilds(jobId: number, options: ListBuildsOptions) {
    return answer(() => this.#builds.listForJob(jobId, options));
  }

  startBuild(buildId: number, now: number) {
    return answer(() => this.#builds.start(buildId, now));
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
    }
    for (const buildId of this.#logState.unsealedOfFinishedBuilds()) await this.#sealLog(buildId);
    return orphans;
  }

  recordBuildInputs(buildId: number, inputs: BuildInput[]) {
    return answer(() => this.#builds.recordInputs(buildId, inputs));
  }

  recordBuildOutputs(buildId: number, outputs: BuildOutput[]) {
    return answer(() => this.#builds.recordOutputs(buildId, outputs));
  }

  buildVersions(buildId: number) {
    return answer(() => this.#builds.withVersions(buildId));
  }

  buildsUsingVersion(jobId: number, versionId: number) {
    return answer(() => this.#builds.usingVersion(jobId, versionId));
  }

  latestSuccessfulBuild(jobId: number) {
    return answer(() => this.#builds.latestSucceeded(jobId));
  }

  appendBuildEvents(buildId: number, events: BuildEventInput[], now: number) {
    return this.#logs.append(buildId, events, now);
  }

  readBuildEvents(buildId: number, options?: ReadEventsOptions) {
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

  close() {
    return answer(() => {
      if (this.#db.isOpen) this.#db.close();
    });
  }

  async #sealLog(buildId: number) {
    this.#logState.markSealed(buildId, await this.#logs.seal(buildId));
  }

  async #removeLogs(buildIds: number[]) {
    this.#logState.markReaped(buildIds);
    for (const buildId of buildIds) await this.#logs.remove(buildId);
  }
}

/**
 * The CI store on SQL: SQLite (`<dataDir>/ci.db`, event logs as files under
 * `<dataDir>/build-logs/`) for one server, or PostgreSQL (event logs in the database) for
 * several replicas sharing the work. One schema and one set of queries serve both.
 */
import path from "node:path";
import type { Version } from "../../pipeline/fields.ts";
import { BuildLogFiles, type BuildLogStorage } from "../build-log.ts";
import { buildsToReap, logsOverBound } from "../retention.ts";
import type {
  BuildEventInput,
  BuildFilter,
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
  ReplicaSignal,
  SetPipelineInput,
  StoreChange,
  TeamMembers,
  VersionMetadata,
} from "../store.ts";
import { BuildLogRows } from "./build-log-rows.ts";
import { Builds } from "./builds.ts";
import type { SqlDatabase } from "./database.ts";
import { Jobs } from "./jobs.ts";
import { LogState } from "./log-state.ts";
import { migrate } from "./migrations.ts";
import { Pipelines } from "./pipelines.ts";
import { noReplicas, PostgresSignals, type ReplicaSignals } from "./replica-signals.ts";
import { PostgresDatabase } from "./postgres-database.ts";
import { Resources } from "./resources.ts";
import { SqliteDatabase } from "./sqlite-database.ts";
import { ensureTeam, Teams } from "./teams.ts";
import { Versions } from "./versions.ts";

export const BUILD_LOGS_DIRECTORY = "build-logs";

export interface StoreOptions {
  /** The clock of writes that do not take a time (team and pipeline timestamps). */
  now?: () => number;
}

export interface SqliteStoreOptions extends StoreOptions {
  dataDir: string;
}

export interface PostgresStoreOptions extends StoreOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  maxConnections?: number;
}

interface StoreParts {
  logs: BuildLogStorage;
  signals: ReplicaSignals;
}

export class SqlCiStore implements CiStore {
  readonly #db: SqlDatabase;
  readonly #now: () => number;
  readonly #pipelines: Pipelines;
  readonly #resources: Resources;
  readonly #versions: Versions;
  readonly #builds: Builds;
  readonly #logState: LogState;
  readonly #logs: BuildLogStorage;
  readonly #jobs: Jobs;
  readonly #teams: Teams;
  readonly #signals: ReplicaSignals;
  readonly #changeListeners = new Set<(change: StoreChange) => void>();
  #replicaChanges: (() => void) | undefined;

  private constructor(db: SqlDatabase, parts: StoreParts, options: StoreOptions) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#pipelines = new Pipelines(db);
    this.#resources = new Resources(db);
    this.#versions = new Versions(db);
    this.#builds = new Builds(db);
    this.#logState = new LogState(db);
    this.#jobs = new Jobs(db);
    this.#teams = new Teams(db);
    this.#logs = parts.logs;
    this.#signals = parts.signals;
  }

  onChange(listener: (change: StoreChange) => void) {
    this.#changeListeners.add(listener);
    // other replicas' changes are listened to while someone here follows them
    this.#replicaChanges ??= this.#signals.listen((s) => {
      if (s.kind === "changed") this.#notifyChange(s.pipelineId, false);
    });
    return () => {
      this.#changeListeners.delete(listener);
      if (this.#changeListeners.size > 0) return;
      this.#replicaChanges?.();
      this.#replicaChanges = undefined;
    };
  }

  /** Tells this process's listeners and, when `here`, the other replicas. */
  #notifyChange(pipelineId: number | undefined, here = true) {
    const change = pipelineId === undefined ? {} : { pipelineId };
    for (const listener of this.#changeListeners) listener(change);
    if (here) void this.#signals.send({ kind: "changed", ...change }).catch(() => undefined);
  }

  /**
   * `result`, once it settled, after telling who follows changes: of the pipeline `scope` names
   * (from the result, or given), or of anything.
   */
  async #changing<T>(result: Promise<T>, scope?: number | ((value: T) => number | undefined)): Promise<T> {
    const value = await result;
    this.#notifyChange(typeof scope === "function" ? scope(value) : scope);
    return value;
  }

  async #pipelineOfBuild(buildId: number): Promise<number | undefined> {
    return (await this.#builds.get(buildId))?.pipelineId;
  }

  get dialect() {
    return this.#db.dialect;
  }

  /** Opens (creating if needed) and migrates the database; refuses one from a newer Sluice. */
  static async openSqlite(options: SqliteStoreOptions): Promise<SqlCiStore> {
    const logs = new BuildLogFiles(path.join(options.dataDir, BUILD_LOGS_DIRECTORY));
    return SqlCiStore.#migrated(SqliteDatabase.open(options.dataDir), { logs, signals: noReplicas }, options);
  }

  /** Connects and migrates (one replica at a time); refuses a database from a newer Sluice. */
  static async openPostgres(options: PostgresStoreOptions): Promise<SqlCiStore> {
    const db = await PostgresDatabase.open(options.url, {
      ...(options.maxConnections !== undefined && { maxConnections: options.maxConnections }),
    });
    const parts = { logs: new BuildLogRows(db), signals: new PostgresSignals(db, options.url) };
    return SqlCiStore.#migrated(db, parts, options);
  }

  static async #migrated(db: SqlDatabase, parts: StoreParts, options: StoreOptions) {
    try {
      await migrate(db);
    } catch (error) {
      await db.close();
      throw error;
    }
    return new SqlCiStore(db, parts, options);
  }

  ensureTeam(name: string) {
    return ensureTeam(this.#db, name, this.#now());
  }

  listTeams() {
    return this.#teams.list();
  }

  setTeamMembers(name: string, members: TeamMembers) {
    return this.#teams.setMembers(name, members, this.#now());
  }

  async destroyTeam(name: string) {
    const builds = await this.#teams.destroy(name);
    for (const buildId of builds ?? []) await this.#logs.remove(buildId);
    return builds !== undefined;
  }

  renameTeam(from: string, to: string) {
    return this.#teams.rename(from, to);
  }

  setPipeline(input: SetPipelineInput) {
    return this.#changing(this.#pipelines.set(input, this.#now()));
  }

  getPipeline(ref: PipelineRef) {
    return this.#pipelines.get(ref);
  }

  getPipelineById(id: number) {
    return this.#pipelines.getById(id);
  }

  listPipelines(team: string) {
    return this.#pipelines.list(team);
  }

  setPipelinePaused(pipelineId: number, paused: boolean) {
    return this.#changing(this.#pipelines.setPaused(pipelineId, paused, this.#now()), pipelineId);
  }

  archivePipeline(pipelineId: number) {
    return this.#changing(this.#pipelines.archive(pipelineId, this.#now()));
  }

  setPipelineParent(pipelineId: number, parent: { jobId: number; buildId: number }) {
    return this.#pipelines.setParent(pipelineId, parent.jobId, parent.buildId);
  }

  archivePipelinesNoLongerSet(jobId: number, buildId: number) {
    return this.#pipelines.archiveOrphans(jobId, buildId, this.#now());
  }

  async destroyPipeline(pipelineId: number) {
    const builds = await this.#changing(this.#pipelines.destroy(pipelineId));
    for (const buildId of builds) await this.#logs.remove(buildId);
  }

  listResources(pipelineId: number) {
    return this.#resources.list(pipelineId);
  }

  getResource(pipelineId: number, name: string) {
    return this.#resources.get(pipelineId, name);
  }

  useResourceConfig(resourceId: number, type: string, configHash: string) {
    return this.#resources.useConfig(resourceId, type, configHash);
  }

  recordCheck(resourceId: number, outcome: CheckOutcome) {
    return this.#resources.recordCheck(resourceId, outcome);
  }

  pinVersion(resourceId: number, versionId: number, comment: string | undefined) {
    return this.#resources.pin(resourceId, versionId, comment ?? null);
  }

  unpinVersion(resourceId: number) {
    return this.#resources.pin(resourceId, null, null);
  }

  saveVersions(resourceConfigId: number, versions: NewVersion[]) {
    return this.#versions.save(resourceConfigId, versions);
  }

  findVersion(resourceConfigId: number, version: Version) {
    return this.#versions.find(resourceConfigId, version);
  }

  saveVersionMetadata(versionId: number, metadata: VersionMetadata) {
    return this.#versions.saveMetadata(versionId, metadata);
  }

  getVersion(versionId: number) {
    return this.#versions.get(versionId);
  }

  listVersions(resourceId: number, options: { limit: number }) {
    return this.#versions.list(resourceId, options.limit);
  }

  latestVersion(resourceId: number) {
    return this.#versions.latest(resourceId);
  }

  setVersionEnabled(resourceId: number, versionId: number, enabled: boolean) {
    return this.#versions.setEnabled(resourceId, versionId, enabled);
  }

  listJobs(pipelineId: number) {
    return this.#jobs.list(pipelineId);
  }

  getJob(pipelineId: number, name: string) {
    return this.#jobs.get(pipelineId, name);
  }

  async setJobPaused(jobId: number, paused: boolean) {
    return this.#changing(this.#jobs.setPaused(jobId, paused), await this.#jobs.pipelineOf(jobId));
  }

  createJobBuild(input: NewJobBuild) {
    return this.#changing(this.#builds.createForJob(input, this.#now()), (b) => b.pipelineId);
  }

  createRerunBuild(buildId: number) {
    return this.#changing(this.#builds.createRerun(buildId, this.#now()), (b) => b.pipelineId);
  }

  createOneOffBuild(input: NewOneOffBuild) {
    const now = this.#now();
    return this.#db.transaction(async (tx) =>
      this.#builds.createOneOff((await ensureTeam(tx, input.team, now)).id, now, tx),
    );
  }

  getBuild(buildId: number) {
    return this.#builds.get(buildId);
  }

  getJobBuild(jobId: number, name: string) {
    return this.#builds.getByName(jobId, name);
  }

  listJobBuilds(jobId: number, options: ListBuildsOptions) {
    return this.#builds.listForJob(jobId, options);
  }

  latestJobBuilds(pipelineIds: readonly number[]) {
    return this.#builds.latestOfJobs(pipelineIds);
  }

  listBuilds(filter: BuildFilter, options: ListBuildsOptions) {
    return this.#builds.list(filter, options);
  }

  async startBuild(buildId: number, now: number) {
    return this.#changing(this.#builds.start(buildId, now), await this.#pipelineOfBuild(buildId));
  }

  async finishBuild(buildId: number, status: BuildStatus, now: number) {
    if (!(await this.#builds.finish(buildId, status, now))) return;
    this.#notifyChange(await this.#pipelineOfBuild(buildId));
    await this.#sealLog(buildId);
  }

  async markOrphanedBuildsErrored(now: number) {
    const orphans = await this.#builds.markOrphansErrored(now);
    for (const buildId of orphans) {
      const event = {
        type: "status",
        data: { status: "errored", reason: "the server stopped during the build" },
      };
      await this.#logs.append(buildId, [event], now);
    }
    for (const buildId of await this.#logState.unsealedOfFinishedBuilds()) await this.#sealLog(buildId);
    return orphans;
  }

  recordBuildInputs(buildId: number, inputs: BuildInput[]) {
    return this.#builds.recordInputs(buildId, inputs);
  }

  recordBuildOutputs(buildId: number, outputs: BuildOutput[]) {
    return this.#builds.recordOutputs(buildId, outputs);
  }

  buildVersions(buildId: number) {
    return this.#builds.withVersions(buildId);
  }

  buildsUsingVersion(jobId: number, versionId: number) {
    return this.#builds.usingVersion(jobId, versionId);
  }

  buildsProducingDigest(digest: string) {
    return this.#builds.producingDigest(digest);
  }

  latestSuccessfulBuild(jobId: number) {
    return this.#builds.latestSucceeded(jobId);
  }

  appendBuildEvents(buildId: number, events: BuildEventInput[], now: number) {
    return this.#logs.append(buildId, events, now);
  }

  readBuildEvents(buildId: number, options?: ReadEventsOptions) {
    return this.#logs.read(buildId, options);
  }

  async reapBuildLogs(options: ReapOptions) {
    const reaped = new Set<number>();
    for (const job of await this.#logState.jobsWithLogs()) {
      const retention = { ...options.defaultRetention, ...job.retention };
      const builds = await this.#logState.sealedBuildsOfJob(job.id);
      for (const id of buildsToReap(builds, retention, options.now)) reaped.add(id);
    }
    await this.#removeLogs([...reaped]);
    if (options.maxLogBytes !== undefined && (await this.#logState.sealedBytes()) > options.maxLogBytes) {
      const overBound = logsOverBound(await this.#logState.sealedLogs(), options.maxLogBytes);
      await this.#removeLogs(overBound);
      for (const id of overBound) reaped.add(id);
    }
    return [...reaped].sort((a, b) => a - b);
  }

  async sharedSecret(name: string, initial: () => Promise<Uint8Array>) {
    const read = () =>
      this.#db.get<{ value: Uint8Array }>("SELECT value FROM server_secrets WHERE name = :name", { name });
    const stored = (await read()) ?? (await this.#storeSecret(name, await initial()), await read());
    return Buffer.from(stored!.value);
  }

  async #storeSecret(name: string, value: Uint8Array) {
    await this.#db.run(
      "INSERT INTO server_secrets (name, value) VALUES (:name, :value) ON CONFLICT (name) DO NOTHING",
      { name, value },
    );
  }

  signalReplicas(signal: ReplicaSignal) {
    return this.#signals.send(signal);
  }

  onReplicaSignal(listener: (signal: ReplicaSignal) => void) {
    return this.#signals.listen(listener);
  }

  async close() {
    await this.#signals.close();
    await this.#db.close();
  }

  async #sealLog(buildId: number) {
    await this.#logState.markSealed(buildId, await this.#logs.seal(buildId));
  }

  async #removeLogs(buildIds: number[]) {
    await this.#logState.markReaped(buildIds);
    for (const buildId of buildIds) await this.#logs.remove(buildId);
  }
}

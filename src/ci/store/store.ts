/**
 * The CI store: pipelines, resource versions, builds and their event logs. One interface with
 * async methods so a SQLite and a PostgreSQL implementation answer the same calls; ids are
 * numbers, times are epoch milliseconds, versions and instance vars are plain JSON values.
 */
import type { Version } from "../pipeline/fields.ts";
import type { Pipeline } from "../pipeline/index.ts";

export interface Team {
  id: number;
  name: string;
  /** Its owners besides admins: `local:NAME`, `system:serviceaccount:NS:NAME`. */
  members: string[];
  /** Who may look but not change anything. */
  viewers: string[];
}

export interface TeamMembers {
  owners: readonly string[];
  viewers?: readonly string[];
}

export type RenameTeamResult = "renamed" | "missing" | "taken";

/** A pipeline is named by its team, its name and its instance vars (`{}` for a plain pipeline). */
export interface PipelineRef {
  team: string;
  name: string;
  instanceVars?: Record<string, unknown>;
}

export interface PipelineRecord {
  id: number;
  teamId: number;
  team: string;
  name: string;
  instanceVars: Record<string, unknown>;
  /** The YAML as set, `((vars))` unresolved. */
  configYaml: string;
  /** Increases by one on each set; `setPipeline` compares it to detect a concurrent change. */
  configVersion: number;
  paused: boolean;
  archived: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface SetPipelineInput extends PipelineRef {
  configYaml: string;
  /** The same YAML, parsed and validated (`parsePipeline`). */
  config: Pipeline;
  /** The `configVersion` the caller based its change on; 0 when it expects no pipeline yet. */
  expectedVersion: number;
  /** Whether a newly created pipeline starts paused (fly's set-pipeline: yes; set_pipeline steps: no). */
  pausedWhenCreated: boolean;
}

export type SetPipelineResult =
  | { ok: true; pipeline: PipelineRecord; created: boolean }
  | { ok: false; reason: "ConcurrentChange"; currentVersion: number };

export interface ResourceTypeRecord {
  id: number;
  pipelineId: number;
  name: string;
  type: string;
  /** The scope its versions live in: resources with equal type and source share it. */
  resourceConfigId: number;
  checkEvery: string | undefined;
}

export interface ResourceRecord extends ResourceTypeRecord {
  pinnedVersionId: number | undefined;
  pinComment: string | undefined;
  lastCheckStartedAt: number | undefined;
  lastCheckEndedAt: number | undefined;
  checkError: string | undefined;
}

/** What a job's config says about how its builds run and are kept. */
export interface JobSettings {
  serial: boolean;
  serialGroups: string[];
  maxInFlight: number | undefined;
  interruptible: boolean;
  disableManualTrigger: boolean;
  logRetention: LogRetention;
}

export interface JobRecord extends JobSettings {
  id: number;
  pipelineId: number;
  name: string;
  paused: boolean;
  /** The number the next (non-rerun) build gets. */
  nextBuildNumber: number;
}

/** `build_log_retention`; absent fields mean "no limit". */
export interface LogRetention {
  builds?: number;
  days?: number;
  minimumSucceededBuilds?: number;
}

export interface ResourceVersion {
  id: number;
  resourceConfigId: number;
  version: Version;
  metadata: VersionMetadata;
  /** Higher is newer: a version seen again by a check moves to the top. */
  checkOrder: number;
}

export type VersionMetadata = { name: string; value: string }[];

/** A version as one resource sees it: disabled is per resource, not per shared config. */
export interface ResourceVersionView extends ResourceVersion {
  enabled: boolean;
}

export interface NewVersion {
  version: Version;
  metadata?: VersionMetadata;
}

export interface CheckOutcome {
  startedAt: number;
  endedAt: number;
  /** The error of a failed check, undefined when it succeeded. */
  error: string | undefined;
}

export const BUILD_STATUSES = ["pending", "started", "succeeded", "failed", "errored", "aborted"] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];
export const isFinished = (status: BuildStatus) => status !== "pending" && status !== "started";

export interface BuildRecord {
  id: number;
  teamId: number;
  pipelineId: number | undefined;
  jobId: number | undefined;
  /** Concourse's build name: `N`, or `N.k` for the k-th rerun of build N. */
  name: string;
  status: BuildStatus;
  manuallyTriggered: boolean;
  rerunOf: number | undefined;
  createdAt: number;
  startedAt: number | undefined;
  endedAt: number | undefined;
  /** False once retention removed its events. */
  hasLog: boolean;
}

export interface NewJobBuild {
  jobId: number;
  manuallyTriggered?: boolean;
  /** Created already started, so the scheduler never launches it: its creator runs it. */
  started?: boolean;
}

export interface NewOneOffBuild {
  team: string;
}

export interface BuildInput {
  /** The input's name in the plan (`get: name`). */
  name: string;
  resourceId: number;
  versionId: number;
}

export interface BuildInputRecord extends BuildInput {
  /** No earlier build of the same job used this version under this name. */
  firstOccurrence: boolean;
}

export interface BuildOutput {
  name: string;
  resourceId: number;
  versionId: number;
}

export interface BuildWithVersions {
  build: BuildRecord;
  inputs: BuildInputRecord[];
  outputs: BuildOutput[];
}

export interface ListBuildsOptions {
  limit: number;
  /** Only builds with a smaller id (the next, older page). */
  beforeId?: number;
  /** Only builds with a greater id: the `limit` just after it (the previous, newer page). */
  afterId?: number;
}

export interface LatestBuilds {
  next?: BuildRecord;
  finished?: BuildRecord;
}

/** Which builds a listing covers; absent fields do not filter. */
export interface BuildFilter {
  teams?: readonly string[];
  pipelineId?: number;
  jobId?: number;
}

/** A build with the names it is shown under. */
export interface ListedBuild extends BuildRecord {
  team: string;
  pipelineName: string | undefined;
  jobName: string | undefined;
}

/** A page of builds, newest first, and whether older and newer ones exist beyond it. */
export interface BuildPage {
  builds: ListedBuild[];
  hasOlder: boolean;
  hasNewer: boolean;
}

/** One small JSON event of a build's log: a chunk of output with its step origin, a status change… */
export interface BuildEventInput {
  type: string;
  data: unknown;
}

export interface BuildEvent extends BuildEventInput {
  /** 1, 2, 3… per build; server-sent events resume after the last id a client saw. */
  id: number;
  time: number;
}

export interface ReadEventsOptions {
  /** Events with a greater id only. */
  afterId?: number;
  limit?: number;
}

export interface ReapOptions {
  now: number;
  /** The retention of jobs without `build_log_retention` (Concourse's default-build-logs-to-retain). */
  defaultRetention?: LogRetention;
  /** Bound on all logs together; the oldest finished builds lose their logs first. */
  maxLogBytes?: number;
}

/**
 * What a replica asks of the one running the engine: look at a pipeline now, abort a build it
 * runs. Carried by PostgreSQL's NOTIFY; SQLite serves one server, which needs no signals.
 */
export type ReplicaSignal =
  | { kind: "schedule"; pipelineId: number }
  | { kind: "abort"; buildId: number }
  /** Something people see changed (a build, a pipeline): pages showing it fetch it again. */
  | ({ kind: "changed" } & StoreChange);

/** What changed: one pipeline (its pause, a job's pause, a build of it), or anything (no id). */
export interface StoreChange {
  pipelineId?: number;
}

export interface CiStore {
  ensureTeam(name: string): Promise<Team>;
  listTeams(): Promise<Team[]>;
  /** Replaces a team's owners and viewers (set-team), creating the team when missing. */
  setTeamMembers(name: string, members: TeamMembers): Promise<{ team: Team; created: boolean }>;
  /** Removes the team with its pipelines, builds and their logs; false when there is no such team. */
  destroyTeam(name: string): Promise<boolean>;
  renameTeam(from: string, to: string): Promise<RenameTeamResult>;

  /** Saves the config and the resources, resource types and jobs it declares, all or nothing. */
  setPipeline(input: SetPipelineInput): Promise<SetPipelineResult>;
  getPipeline(ref: PipelineRef): Promise<PipelineRecord | undefined>;
  getPipelineById(id: number): Promise<PipelineRecord | undefined>;
  listPipelines(team: string): Promise<PipelineRecord[]>;
  setPipelinePaused(pipelineId: number, paused: boolean): Promise<void>;
  /** Archived pipelines are paused and keep their builds; setting them again unarchives them. */
  archivePipeline(pipelineId: number): Promise<void>;
  /** Records the job build that set the pipeline with a set_pipeline step. */
  setPipelineParent(pipelineId: number, parent: { jobId: number; buildId: number }): Promise<void>;
  /**
   * Archives the pipelines the job set in earlier builds but not in `buildId` (a succeeded build
   * that no longer sets them, as Concourse does); answers their ids.
   */
  archivePipelinesNoLongerSet(jobId: number, buildId: number): Promise<number[]>;
  /** Removes the pipeline, its builds and their logs. */
  destroyPipeline(pipelineId: number): Promise<void>;

  /** The active resources (those the current config declares). */
  listResources(pipelineId: number): Promise<ResourceRecord[]>;
  getResource(pipelineId: number, name: string): Promise<ResourceRecord | undefined>;
  /** Moves a resource to the scope of an evaluated config (vars resolved), see `resourceConfigHash`. */
  useResourceConfig(resourceId: number, type: string, configHash: string): Promise<number>;
  recordCheck(resourceId: number, outcome: CheckOutcome): Promise<void>;
  pinVersion(resourceId: number, versionId: number, comment: string | undefined): Promise<void>;
  unpinVersion(resourceId: number): Promise<void>;

  /** Saves what a check (or a put) found, oldest first; a version saved again becomes the latest. */
  saveVersions(resourceConfigId: number, versions: NewVersion[]): Promise<ResourceVersion[]>;
  findVersion(resourceConfigId: number, version: Version): Promise<ResourceVersion | undefined>;
  getVersion(versionId: number): Promise<ResourceVersion | undefined>;
  /** Keeps what a get told of a version (its metadata), without moving it in the check order. */
  saveVersionMetadata(versionId: number, metadata: VersionMetadata): Promise<void>;
  /** The resource's versions, newest first. */
  listVersions(resourceId: number, options: { limit: number }): Promise<ResourceVersionView[]>;
  /** The newest enabled version, undefined when there is none. */
  latestVersion(resourceId: number): Promise<ResourceVersion | undefined>;
  setVersionEnabled(resourceId: number, versionId: number, enabled: boolean): Promise<void>;

  listJobs(pipelineId: number): Promise<JobRecord[]>;
  getJob(pipelineId: number, name: string): Promise<JobRecord | undefined>;
  setJobPaused(jobId: number, paused: boolean): Promise<void>;

  createJobBuild(input: NewJobBuild): Promise<BuildRecord>;
  /** A rerun of build N is N.1, N.2…; a rerun of a rerun reruns the same original. */
  createRerunBuild(buildId: number): Promise<BuildRecord>;
  createOneOffBuild(input: NewOneOffBuild): Promise<BuildRecord>;
  getBuild(buildId: number): Promise<BuildRecord | undefined>;
  getJobBuild(jobId: number, name: string): Promise<BuildRecord | undefined>;
  /** A job's builds, newest first. */
  listJobBuilds(jobId: number, options: ListBuildsOptions): Promise<BuildRecord[]>;
  /** The newest running (or pending) and the newest finished build of every job of the pipelines. */
  latestJobBuilds(pipelineIds: readonly number[]): Promise<Map<number, LatestBuilds>>;
  /** A page of the builds `filter` covers (one-off builds too), for the API's listings. */
  listBuilds(filter: BuildFilter, options: ListBuildsOptions): Promise<BuildPage>;
  startBuild(buildId: number, now: number): Promise<void>;
  /** Ends a build and seals its event log. */
  finishBuild(buildId: number, status: BuildStatus, now: number): Promise<void>;
  /**
   * After a restart: builds left started by the last process become errored (their log ends with
   * a status event; pending builds stay pending for the scheduler), and logs left unsealed by a
   * stop during a finish are sealed.
   */
  markOrphanedBuildsErrored(now: number): Promise<number[]>;

  recordBuildInputs(buildId: number, inputs: BuildInput[]): Promise<BuildInputRecord[]>;
  recordBuildOutputs(buildId: number, outputs: BuildOutput[]): Promise<void>;
  buildVersions(buildId: number): Promise<BuildWithVersions | undefined>;
  /** Builds of the job whose inputs used the version, newest first. */
  buildsUsingVersion(jobId: number, versionId: number): Promise<BuildRecord[]>;
  latestSuccessfulBuild(jobId: number): Promise<BuildWithVersions | undefined>;
  /** The builds whose outputs include an image with this digest (`sha256:…`), newest first. */
  buildsProducingDigest(digest: string): Promise<BuildRecord[]>;

  appendBuildEvents(buildId: number, events: BuildEventInput[], now: number): Promise<BuildEvent[]>;
  readBuildEvents(buildId: number, options?: ReadEventsOptions): Promise<BuildEvent[]>;
  /** Applies `build_log_retention` and the disk bound; returns the builds whose logs were removed. */
  reapBuildLogs(options: ReapOptions): Promise<number[]>;

  /**
   * The secret named `name` every replica shares (the API's token key): the stored one, or
   * `initial` stored now when there is none (the first replica's wins a race).
   */
  sharedSecret(name: string, initial: () => Promise<Uint8Array>): Promise<Buffer>;

  /**
   * Calls `listener` when a pipeline, a job's pause or a build changes here or, with PostgreSQL, on
   * another replica; until the returned function is called.
   */
  onChange(listener: (change: StoreChange) => void): () => void;

  /** Sends the signal to the other replicas sharing the database (a no-op on SQLite). */
  signalReplicas(signal: ReplicaSignal): Promise<void>;
  /** Signals other replicas sent, until the returned function is called. */
  onReplicaSignal(listener: (signal: ReplicaSignal) => void): () => void;

  close(): Promise<void>;
}

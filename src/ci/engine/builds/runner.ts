/**
 * Runs a started build's plan on the local worker: the job's plan from the pipeline config the
 * build belongs to, its leaf steps through `localStepRunner`, vars from the pipeline's var
 * sources with every resolved value scrubbed from the log, events batched into the store and
 * handed to followers, and the build finished with the plan's outcome.
 *
 * Each build works in `<dataDir>/builds/<buildId>/`, removed when it ends: outputs are not kept
 * across builds yet (a later get fetches again).
 */
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { runBuildPlan, type BuildIdentity, type StepRunnerOf } from "../../build/index.ts";
import { parsePipeline, planJob, type Job, type Pipeline } from "../../pipeline/index.ts";
import type { BuiltinResources } from "../../resources/builtin.ts";
import type { CustomResourceTypes } from "../../resources/custom/container-resource.ts";
import { localStepRunner, type StepEnvironment } from "../../steps/index.ts";
import type {
  BuildEvent,
  BuildEventInput,
  BuildRecord,
  BuildStatus,
  CiStore,
  PipelineRecord,
} from "../../store/store.ts";
import { Redactor, redactingSource } from "../../vars/redactor.ts";
import type { BuildLauncher } from "../launcher.ts";
import type { PipelineVars } from "../pipeline-vars.ts";
import { pipelineById } from "../pipelines.ts";
import { DirectoryArtifacts } from "./directory-artifacts.ts";
import { BuildEventLog } from "./event-log.ts";

export interface BuildRunnerOptions {
  store: CiStore;
  /** The server's data directory; builds work in `builds/<id>/` under it. */
  dataDir: string;
  resources: BuiltinResources;
  /** Runs the types pipelines declare in resource_types. */
  customTypes?: CustomResourceTypes | undefined;
  vars: PipelineVars;
  /** Runs task steps; without it a task errors with "no worker can run tasks here". */
  task?: StepRunnerOf<"task">;
  /** Longest time an event waits before it is written (100 ms by default). */
  flushMs?: number;
  now?: () => number;
}

/** Why a build could not start its plan: logged as the build's error, the build errors. */
class BuildSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BuildSetupError";
  }
}

interface RunningBuild {
  abort: AbortController;
  log: BuildEventLog;
  /** Its working directory: the artifacts of its steps. */
  directory: string;
  /** Known once its plan started. */
  identity?: BuildIdentity;
}

/** A build opened with `openBuild`. */
export interface OpenBuild {
  signal: AbortSignal;
  /** Its working directory (the caller creates and removes it). */
  directory: string;
  emit(event: BuildEventInput): void;
  close(status: BuildStatus): Promise<BuildStatus>;
}

/** A running build's working directory, for `sluice ci volumes`. */
export interface RunningBuildDirectory {
  buildId: number;
  directory: string;
  identity: BuildIdentity | undefined;
}

export class BuildRunner implements BuildLauncher {
  readonly #options: BuildRunnerOptions;
  readonly #now: () => number;
  readonly #running = new Map<number, RunningBuild>();

  constructor(options: BuildRunnerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async run(build: BuildRecord): Promise<BuildStatus> {
    const open = this.openBuild(build);
    const running = this.#running.get(build.id)!;
    let status: BuildStatus;
    try {
      status = await this.#runPlan(build, running, open.directory);
    } catch (error) {
      open.emit({ type: "error", data: { message: (error as Error).message } });
      status = "errored";
    } finally {
      await rm(open.directory, { recursive: true, force: true });
    }
    if (status === "succeeded" && build.jobId !== undefined) await this.#archiveNoLongerSet(build, running);
    return open.close(status);
  }

  /**
   * Opens a started build whose work the caller does (a GitLab or GitHub job): its events go to
   * its log, it can be aborted and followed as any build; `close` writes its status and ends it
   * (errored when its log could not be written).
   */
  openBuild(build: BuildRecord, identity?: BuildIdentity): OpenBuild {
    const { store } = this.#options;
    const running: RunningBuild = {
      abort: new AbortController(),
      log: new BuildEventLog(store, build.id, { now: this.#now, flushMs: this.#options.flushMs }),
      directory: path.join(this.#options.dataDir, "builds", String(build.id)),
      ...(identity && { identity }),
    };
    this.#running.set(build.id, running);
    return {
      signal: running.abort.signal,
      directory: running.directory,
      emit: (event) => running.log.append(event),
      close: async (status) => {
        running.log.append({ type: "status", data: { status } });
        const logFailure = await running.log.close().then(
          () => undefined,
          (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
        );
        this.#running.delete(build.id);
        // a build whose log could not be written is not reported as succeeded
        await store.finishBuild(build.id, logFailure === undefined ? status : "errored", this.#now());
        if (logFailure !== undefined) throw logFailure;
        return status;
      },
    };
  }

  /** Pipelines the job set before but this succeeded build did not are archived, as Concourse does. */
  async #archiveNoLongerSet(build: BuildRecord, running: RunningBuild): Promise<void> {
    const { store } = this.#options;
    for (const id of await store.archivePipelinesNoLongerSet(build.jobId!, build.id)) {
      const name = (await pipelineById(store, id))?.name ?? `#${id}`;
      const line = `archived pipeline ${name}: this job no longer sets it`;
      running.log.append({ type: "log", data: { origin: "set_pipeline", stream: "stdout", line } });
    }
  }

  runningBuilds(): RunningBuildDirectory[] {
    return [...this.#running].map(([buildId, running]) => ({
      buildId,
      directory: running.directory,
      identity: running.identity,
    }));
  }

  abort(buildId: number): boolean {
    const running = this.#running.get(buildId);
    running?.abort.abort();
    return running !== undefined;
  }

  follow(buildId: number, listener: (events: BuildEvent[]) => void): () => void {
    return this.#running.get(buildId)?.log.follow(listener) ?? (() => {});
  }

  async #runPlan(build: BuildRecord, running: RunningBuild, directory: string): Promise<BuildStatus> {
    const { store } = this.#options;
    const { pipeline, config, job, jobId } = await this.#jobOf(build);
    await mkdir(directory, { recursive: true });
    const artifacts = new DirectoryArtifacts(directory);
    const env: StepEnvironment = {
      store,
      resources: this.#options.resources,
      customTypes: this.#options.customTypes,
      build,
      pipeline,
      config,
      inputs: (await store.buildVersions(build.id))?.inputs ?? [],
      putVersions: new Map(),
      artifactNames: () => artifacts.names(),
      scratchDirectory: (purpose) => artifacts.allocate(purpose),
    };
    const redactor = new Redactor();
    const identity: BuildIdentity = {
      buildId: build.id,
      buildName: build.name,
      team: pipeline.team,
      pipeline: { id: pipeline.id, name: pipeline.name, instanceVars: pipeline.instanceVars },
      job: { id: jobId, name: job.name },
    };
    running.identity = identity;
    return runBuildPlan(planJob(job), {
      signal: running.abort.signal,
      vars: redactingSource(this.#options.vars(pipeline), redactor),
      identity,
      runner: localStepRunner(env, this.#options.task),
      artifacts,
      redactor,
      emit: (event) => running.log.append(event),
      now: this.#now,
    });
  }

  async #jobOf(
    build: BuildRecord,
  ): Promise<{ pipeline: PipelineRecord; config: Pipeline; job: Job; jobId: number }> {
    const { store } = this.#options;
    if (build.pipelineId === undefined || build.jobId === undefined) {
      throw new BuildSetupError(`build ${build.id} is not a job build; one-off builds do not run here`);
    }
    const team = (await store.listTeams()).find((candidate) => candidate.id === build.teamId);
    const pipeline = team && (await store.listPipelines(team.name)).find((p) => p.id === build.pipelineId);
    const jobRecord = pipeline && (await store.listJobs(pipeline.id)).find((j) => j.id === build.jobId);
    if (pipeline === undefined || jobRecord === undefined) {
      throw new BuildSetupError(`the pipeline or job of build ${build.id} no longer exists`);
    }
    const parsed = parsePipeline(pipeline.configYaml);
    if (!parsed.ok) throw new BuildSetupError(`the config of pipeline ${pipeline.name} is no longer valid`);
    const job = parsed.pipeline.jobs?.find((candidate) => candidate.name === jobRecord.name);
    if (job === undefined) {
      throw new BuildSetupError(`job ${jobRecord.name} is no longer in pipeline ${pipeline.name}'s config`);
    }
    return { pipeline, config: parsed.pipeline, job, jobId: jobRecord.id };
  }
}

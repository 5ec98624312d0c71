/**
 * The scheduler: for each job of a pipeline, creates the build the scheduling rules ask for
 * (scheduler/), gives pending builds their inputs, and starts those their job's limits allow,
 * handing each to the build launcher without waiting for it. Why a job has no new build is kept
 * per job for the API.
 */
import type { Logger } from "../../../runtime/logger.ts";
import type { Pipeline } from "../../pipeline/index.ts";
import {
  decideBuild,
  jobInputs,
  mayStart,
  resolveInputs,
  type ActiveBuild,
  type InputResolution,
  type JobInput,
  type ResolvedInput,
} from "../../scheduler/index.ts";
import type { BuildRecord, CiStore, JobRecord, PipelineRecord, ResourceRecord } from "../../store/index.ts";
import type { JobWaiting } from "../control.ts";
import type { BuildLauncher } from "../launcher.ts";
import type { PipelineConfigs } from "../pipeline-configs.ts";
import { pipelineById } from "../pipelines.ts";
import { unfinishedBuilds } from "./active-builds.ts";
import { StoreHistory } from "./store-history.ts";

export interface SchedulerOptions {
  store: CiStore;
  configs: PipelineConfigs;
  launcher: BuildLauncher;
  logger: Logger;
  now?: () => number;
  /** Checks the named resources of the pipeline now: what a manual trigger does before its build takes inputs. */
  checkInputs: (pipelineId: number, resources: string[]) => Promise<void>;
  /** Asks for another pass over the pipeline (a build ended, a manual build's inputs were checked). */
  reschedule: (pipelineId: number) => void;
}

/** A pending or running build of the pipeline, as the start decision sees it. */
interface Queued {
  record: BuildRecord;
  active: ActiveBuild;
  /** Its inputs are recorded (or it has none to record). */
  ready: boolean;
}

/** What one pass over a pipeline reads once. */
interface Pass {
  pipelineId: number;
  config: Pipeline;
  history: StoreHistory;
  resources: Map<string, ResourceRecord>;
  queue: Queued[];
  now: number;
}

export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #now: () => number;
  readonly #waiting = new Map<number, JobWaiting>();
  readonly #running = new Map<number, Promise<void>>();
  /** Manual builds whose inputs were checked (true) or are being checked (false). */
  readonly #inputsChecked = new Map<number, boolean>();

  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  jobWaiting(jobId: number): JobWaiting | undefined {
    return this.#waiting.get(jobId);
  }

  /** The ids of the builds launched here that have not ended. */
  runningBuilds(): number[] {
    return [...this.#running.keys()];
  }

  /** Resolves once every launched build has ended. */
  async buildsEnded(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running.values());
  }

  async schedulePipeline(pipelineId: number): Promise<void> {
    const pipeline = await pipelineById(this.#o.store, pipelineId);
    if (pipeline) await this.schedule(pipeline);
  }

  /** One pass over the pipeline's jobs, as it was just read from the store. */
  async schedule(pipeline: PipelineRecord): Promise<void> {
    if (pipeline.paused || pipeline.archived) return;
    const { store, configs } = this.#o;
    const pipelineId = pipeline.id;
    const config = configs.of(pipeline);
    const jobs = await store.listJobs(pipelineId);
    const resources = await store.listResources(pipelineId);
    const pass: Pass = {
      pipelineId,
      config,
      history: new StoreHistory(store, resources, jobs),
      resources: new Map(resources.map((r) => [r.name, r])),
      queue: [],
      now: this.#now(),
    };
    const pins = await pass.history.apiPins();
    for (const job of jobs) {
      const queued = await this.#queued(job);
      if (job.paused) {
        pass.queue.push(...queued.filter((q) => q.active.state === "running"));
        continue;
      }
      const inputs = jobInputs(config, job.name, pins);
      await this.#decide(pass, job, inputs, queued);
      pass.queue.push(...queued);
    }
    await this.#startReady(pass, jobs);
  }

  async #queued(job: JobRecord): Promise<Queued[]> {
    const builds = await unfinishedBuilds(this.#o.store, job.id);
    return builds.map((record) => ({
      record,
      active: {
        id: record.id,
        job: job.name,
        name: record.name,
        state: record.status === "started" ? "running" : "pending",
        ...(record.rerunOf !== undefined && { rerunOf: record.rerunOf }),
      },
      ready: record.status === "started",
    }));
  }

  /** Gives the job's pending builds their inputs, or creates the build a trigger asks for. */
  async #decide(pass: Pass, job: JobRecord, inputs: JobInput[], queued: Queued[]): Promise<void> {
    const resolution = await resolveInputs(job.name, inputs, pass.history);
    let tookInputs = false;
    for (const build of queued.filter((q) => !q.ready)) {
      build.ready = await this.#readyPending(pass, job, inputs, resolution, build.record);
      tookInputs ||= build.ready && inputs.length > 0;
    }
    // a manual build that just took the new versions used them: the next pass sees that
    if (tookInputs) return;
    const decision = decideBuild(inputs, resolution, "scheduler");
    if (!decision.create) {
      this.#waiting.set(job.id, { reason: decision.reason, waiting: decision.waiting, decidedAt: pass.now });
      return;
    }
    this.#waiting.delete(job.id);
    const record = await this.#o.store.createJobBuild({ jobId: job.id });
    await this.#recordInputs(pass, record, decision.inputs);
    queued.push({
      record,
      active: { id: record.id, job: job.name, name: record.name, state: "pending" },
      ready: true,
    });
  }

  /** Whether a pending build has (or just took) its inputs; a manual one first checks them. */
  async #readyPending(
    pass: Pass,
    job: JobRecord,
    inputs: JobInput[],
    resolution: InputResolution,
    record: BuildRecord,
  ): Promise<boolean> {
    if (inputs.length === 0) return true;
    const recorded = await this.#o.store.buildVersions(record.id);
    if (recorded && recorded.inputs.length > 0) return true;
    if (record.rerunOf !== undefined) return this.#takeInputsOf(record.rerunOf, record);
    if (record.manuallyTriggered && !this.#inputsCheckedFor(pass.pipelineId, record, inputs)) return false;
    const decision = decideBuild(inputs, resolution, "manual");
    if (!decision.create) {
      this.#waiting.set(job.id, { reason: decision.reason, waiting: decision.waiting, decidedAt: pass.now });
      return false;
    }
    await this.#recordInputs(pass, record, decision.inputs);
    return true;
  }

  /** A rerun runs with the inputs of the build it reruns. */
  async #takeInputsOf(originalId: number, rerun: BuildRecord): Promise<boolean> {
    const original = await this.#o.store.buildVersions(originalId);
    const inputs = (original?.inputs ?? []).map(({ name, resourceId, versionId }) => ({
      name,
      resourceId,
      versionId,
    }));
    await this.#o.store.recordBuildInputs(rerun.id, inputs);
    return true;
  }

  /** Whether the inputs of a manual build were checked; starts that check the first time. */
  #inputsCheckedFor(pipelineId: number, build: BuildRecord, inputs: JobInput[]): boolean {
    const checked = this.#inputsChecked.get(build.id);
    if (checked !== undefined) return checked;
    this.#inputsChecked.set(build.id, false);
    const resources = [...new Set(inputs.map((input) => input.resource))];
    void this.#o
      .checkInputs(pipelineId, resources)
      .catch((err: unknown) =>
        this.#o.logger.warn({ err, build: build.id }, "checking a manual build's inputs"),
      )
      .finally(() => {
        this.#inputsChecked.set(build.id, true);
        this.#o.reschedule(pipelineId);
      });
    return false;
  }

  async #recordInputs(pass: Pass, build: BuildRecord, inputs: ResolvedInput[]): Promise<void> {
    await this.#o.store.recordBuildInputs(
      build.id,
      inputs.map((input) => ({
        name: input.name,
        resourceId: pass.resources.get(input.resource)!.id,
        versionId: input.version.id,
      })),
    );
  }

  async #startReady(pass: Pass, jobs: JobRecord[]): Promise<void> {
    const jobIds = new Map(jobs.map((j) => [j.name, j.id]));
    const pipelineJobs = pass.config.jobs ?? [];
    const considered = pass.queue.filter((q) => q.ready);
    const active = considered.map((q) => q.active);
    for (const build of considered
      .filter((q) => q.active.state === "pending")
      .sort((a, b) => a.record.id - b.record.id)) {
      const decision = mayStart(pipelineJobs, build.active, active);
      const jobId = jobIds.get(build.active.job)!;
      if (!decision.start) {
        this.#waiting.set(jobId, { reason: decision.reason, waiting: [], decidedAt: pass.now });
        continue;
      }
      build.active.state = "running";
      await this.#launch(pass.pipelineId, build.record);
    }
  }

  async #launch(pipelineId: number, build: BuildRecord): Promise<void> {
    const { store, launcher, logger } = this.#o;
    await store.startBuild(build.id, this.#now());
    const started = (await store.getBuild(build.id)) ?? build;
    this.#inputsChecked.delete(build.id);
    const run = launcher
      .run(started)
      .then(
        () => undefined,
        async (err: unknown) => {
          logger.error({ err, build: build.id }, "build launcher failed; the build is errored");
          await store.finishBuild(build.id, "errored", this.#now());
        },
      )
      .catch((err: unknown) => logger.error({ err, build: build.id }, "cannot finish the build"))
      .finally(() => {
        this.#running.delete(build.id);
        this.#o.reschedule(pipelineId);
      });
    this.#running.set(build.id, run);
  }
}

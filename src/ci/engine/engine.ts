/**
 * The CI engine: the checker and scheduler loops over one CI store, behind EngineControl for the
 * API. It is a manager runnable that runs only while this replica leads. On start it marks the
 * builds a previous process left unfinished as errored; on stop it stops ticking, aborts the
 * builds it launched and waits for them.
 */
import type { Logger } from "../../runtime/logger.ts";
import type { Runnable } from "../../runtime/runnable.ts";
import { builtinResources, type BuiltinResources } from "../resources/builtin.ts";
import type { CustomResourceTypes } from "../resources/custom/container-resource.ts";
import type { BuildEvent, CheckOutcome, CiStore, LogRetention } from "../store/index.ts";
import { Checker } from "./check/checker.ts";
import type { CheckRequest, EngineControl, JobWaiting } from "./control.ts";
import type { BuildLauncher } from "./launcher.ts";
import { PipelineConfigs } from "./pipeline-configs.ts";
import type { PipelineVars } from "./pipeline-vars.ts";
import { activePipelines } from "./pipelines.ts";
import { Scheduler } from "./schedule/scheduler.ts";
import { Wakeup } from "./wakeup.ts";

export interface CiEngineOptions {
  store: CiStore;
  launcher: BuildLauncher;
  vars: PipelineVars;
  logger: Logger;
  resources?: BuiltinResources;
  /** Runs the types pipelines declare in resource_types. */
  customTypes?: CustomResourceTypes | undefined;
  /** Told when checks saved new versions (the project runner wakes on it). */
  onNewVersions?: ((pipelineIds: number[]) => void) | undefined;
  /** Between the checker's passes (default 10 s). */
  checkTick?: number;
  /** Between the scheduler's passes over every pipeline (default 10 s). */
  scheduleTick?: number;
  /** Between applications of the log retention (default 10 min). */
  reapTick?: number;
  /** Checks running at once (default 8). */
  checkConcurrency?: number;
  /** The retention of jobs without `build_log_retention`. */
  defaultLogRetention?: LogRetention;
  /** Bound on all build logs together, in bytes. */
  maxLogBytes?: number;
  now?: () => number;
}

const SECOND = 1000;

export class CiEngine implements EngineControl, Runnable {
  readonly name = "ci-engine";
  readonly #o: CiEngineOptions;
  readonly #now: () => number;
  readonly checker: Checker;
  readonly scheduler: Scheduler;
  readonly #requested = new Set<number>();
  readonly #scheduleWakeup = new Wakeup();

  constructor(options: CiEngineOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    const configs = new PipelineConfigs();
    const common = { store: options.store, configs, logger: options.logger, now: this.#now };
    this.checker = new Checker({
      ...common,
      vars: options.vars,
      resources: options.resources ?? builtinResources(),
      customTypes: options.customTypes,
      ...(options.checkConcurrency !== undefined && { concurrency: options.checkConcurrency }),
      onNewVersions: (pipelineIds) => {
        pipelineIds.forEach((id) => this.schedule(id));
        options.onNewVersions?.(pipelineIds);
      },
    });
    this.scheduler = new Scheduler({
      ...common,
      launcher: options.launcher,
      checkInputs: async (pipelineId, resources) => {
        await Promise.all(resources.map((name) => this.checker.checkResource(pipelineId, name)));
      },
      reschedule: (pipelineId) => this.schedule(pipelineId),
    });
  }

  async start(signal: AbortSignal): Promise<{ done: Promise<void> }> {
    const orphans = await this.#o.store.markOrphanedBuildsErrored(this.#now());
    if (orphans.length > 0)
      this.#o.logger.info({ builds: orphans }, "builds left unfinished by the last run are errored");
    const stopListening = this.#o.store.onReplicaSignal((s) => {
      if (s.kind === "schedule") this.schedule(s.pipelineId);
      else if (s.kind === "abort") this.abortBuild(s.buildId);
    });
    const done = Promise.all([
      this.#checkLoop(signal),
      this.#scheduleLoop(signal),
      this.#reapLoop(signal),
    ]).then(() => {
      stopListening();
      return this.#stopBuilds();
    });
    return { done };
  }

  checkResource(pipelineId: number, resource: string, request?: CheckRequest): Promise<CheckOutcome> {
    return this.checker.checkResource(pipelineId, resource, request);
  }

  schedule(pipelineId: number): void {
    this.#requested.add(pipelineId);
    this.#scheduleWakeup.wake();
  }

  abortBuild(buildId: number): boolean {
    return this.#o.launcher.abort(buildId);
  }

  followBuild(buildId: number, listener: (events: BuildEvent[]) => void): () => void {
    return this.#o.launcher.follow(buildId, listener);
  }

  jobWaiting(jobId: number): JobWaiting | undefined {
    return this.scheduler.jobWaiting(jobId);
  }

  /** Checks run in the background: a slow check does not hold up the next pass. */
  async #checkLoop(signal: AbortSignal): Promise<void> {
    const passes = new Set<Promise<void>>();
    const wakeup = new Wakeup();
    while (!signal.aborted) {
      const pass = this.#guard("check pass", () => this.checker.tick(signal));
      passes.add(pass);
      void pass.finally(() => passes.delete(pass));
      await wakeup.sleep(this.#o.checkTick ?? 10 * SECOND, signal);
    }
    await Promise.all(passes);
  }

  async #scheduleLoop(signal: AbortSignal): Promise<void> {
    const tick = this.#o.scheduleTick ?? 10 * SECOND;
    let nextFullPass = 0;
    while (!signal.aborted) {
      if (this.#now() >= nextFullPass) {
        nextFullPass = this.#now() + tick;
        this.#requested.clear();
        await this.#guard("listing pipelines to schedule", () => this.#schedulePipelines());
      } else if (this.#requested.size > 0) {
        const ids = new Set(this.#requested);
        this.#requested.clear();
        await this.#guard("listing pipelines to schedule", () => this.#schedulePipelines(ids));
      } else {
        await this.#scheduleWakeup.sleep(Math.max(0, nextFullPass - this.#now()), signal);
      }
    }
  }

  /** One pass over the active pipelines, or those of them in `only`. */
  async #schedulePipelines(only?: ReadonlySet<number>): Promise<void> {
    for (const pipeline of await activePipelines(this.#o.store)) {
      if (only && !only.has(pipeline.id)) continue;
      await this.#guard("scheduling pass", () => this.scheduler.schedule(pipeline), {
        pipeline: pipeline.id,
      });
    }
  }

  async #reapLoop(signal: AbortSignal): Promise<void> {
    const wakeup = new Wakeup();
    while (!signal.aborted) {
      await this.#guard("log retention", () =>
        this.#o.store.reapBuildLogs({
          now: this.#now(),
          ...(this.#o.defaultLogRetention && { defaultRetention: this.#o.defaultLogRetention }),
          ...(this.#o.maxLogBytes !== undefined && { maxLogBytes: this.#o.maxLogBytes }),
        }),
      );
      await wakeup.sleep(this.#o.reapTick ?? 600 * SECOND, signal);
    }
  }

  async #stopBuilds(): Promise<void> {
    for (const id of this.scheduler.runningBuilds()) this.#o.launcher.abort(id);
    await this.scheduler.buildsEnded();
  }

  /** A failed pass is logged and the loop goes on: the next pass tries again. */
  async #guard(
    what: string,
    pass: () => Promise<unknown>,
    fields: Record<string, unknown> = {},
  ): Promise<void> {
    try {
      await pass();
    } catch (err) {
      this.#o.logger.error({ err, ...fields }, `${what} failed`);
    }
  }
}

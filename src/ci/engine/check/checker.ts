/**
 * The checker: finds new versions of the pipelines' resources with the built-in resources, saves
 * them in the store and tells the scheduler which pipelines may have something new.
 *
 * Resources whose type and resolved source are equal share one resource config (the store's
 * scope of versions): a config is checked once at a time, and a successful check serves every
 * resource of that config until their interval has passed, so a hundred pipelines watching one
 * repository make one check per interval.
 */
import type { Logger } from "../../../runtime/logger.ts";
import { Semaphore, type Release } from "../../../common/semaphore.ts";
import type { Resource, ResourceType } from "../../pipeline/index.ts";
import type { BuiltinResources } from "../../resources/builtin.ts";
import type { CustomResourceTypes } from "../../resources/custom/container-resource.ts";
import { resolveResourceType } from "../../resources/resource-types.ts";
import { useEvaluatedConfig } from "../../store/evaluated-config.ts";
import {
  type CheckOutcome,
  type CiStore,
  type PipelineRecord,
  type ResourceRecord,
} from "../../store/index.ts";
import type { CheckRequest } from "../control.ts";
import type { PipelineConfigs } from "../pipeline-configs.ts";
import type { PipelineVars } from "../pipeline-vars.ts";
import { checkInterval, isDue } from "./check-interval.ts";
import { activePipelines, pipelineById } from "../pipelines.ts";
import { resolveSource } from "./resolve-source.ts";
import { Redactor } from "../../vars/redactor.ts";
import type { Config } from "../../pipeline/fields.ts";

export interface CheckerOptions {
  store: CiStore;
  configs: PipelineConfigs;
  vars: PipelineVars;
  resources: BuiltinResources;
  /** Runs the types pipelines declare in resource_types; without it their resources fail to check. */
  customTypes?: CustomResourceTypes | undefined;
  logger: Logger;
  /** Checks running at once (default 8). */
  concurrency?: number;
  now?: () => number;
  /** Called with the pipelines whose resources got a version they did not have. */
  onNewVersions: (pipelineIds: number[]) => void;
}

/** A resource of an unpaused pipeline, with what deciding and running its check needs. */
interface CheckTarget {
  pipeline: PipelineRecord;
  record: ResourceRecord;
  config: Resource;
  /** The pipeline's resource_types. */
  declaredTypes: readonly ResourceType[];
  /** The pipeline's resources that are a `trigger: true` input of some job. */
  triggers: ReadonlySet<string>;
}

/** A config's check: its outcome and whether it saved a version not seen before. */
interface ConfigCheck {
  outcome: CheckOutcome;
  foundNew: boolean;
}

export class Checker {
  readonly #o: CheckerOptions;
  readonly #now: () => number;
  readonly #slots: Semaphore;
  /** Resource id → failed checks in a row. */
  readonly #failures = new Map<number, number>();
  /** Resources being checked now. */
  readonly #checking = new Set<number>();
  /** Config id → its check under way. */
  readonly #inFlight = new Map<number, Promise<ConfigCheck>>();
  /** Config id → its last successful check. */
  readonly #lastSuccess = new Map<number, CheckOutcome>();
  /** Config id → the pipelines with a resource of that config. */
  readonly #pipelinesOfConfig = new Map<number, Set<number>>();

  constructor(options: CheckerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#slots = new Semaphore(options.concurrency ?? 8);
  }

  /** Starts the checks that are due and resolves when they have ended. */
  async tick(signal?: AbortSignal): Promise<void> {
    const now = this.#now();
    const due = (await this.#targets()).filter(
      (target) => !this.#checking.has(target.record.id) && this.#isDue(target, now),
    );
    await Promise.all(
      due.map((target) => this.#check(target, { periodic: true, ...(signal && { signal }) })),
    );
  }

  /** Checks the resource now, whatever its interval; rejects when the pipeline has no such resource. */
  async checkResource(pipelineId: number, name: string, request: CheckRequest = {}): Promise<CheckOutcome> {
    const target = await this.#target(pipelineId, name);
    return this.#check(target, { periodic: false, ...request });
  }

  #isDue({ record, triggers }: CheckTarget, now: number): boolean {
    return isDue(
      {
        checkEvery: record.checkEvery,
        triggers: triggers.has(record.name),
        lastCheckEndedAt: record.lastCheckEndedAt,
        checkError: record.checkError,
        failures: this.#failures.get(record.id) ?? 0,
      },
      now,
    );
  }

  async #targets(): Promise<CheckTarget[]> {
    const { store } = this.#o;
    const targets: CheckTarget[] = [];
    for (const pipeline of await activePipelines(store)) {
      for (const record of await store.listResources(pipeline.id)) {
        const target = this.#withConfig(pipeline, record);
        if (target) targets.push(target);
      }
    }
    return targets;
  }

  async #target(pipelineId: number, name: string): Promise<CheckTarget> {
    const { store } = this.#o;
    const pipeline = await pipelineById(store, pipelineId);
    const record = pipeline && (await store.getResource(pipelineId, name));
    const target = pipeline && record && this.#withConfig(pipeline, record);
    if (!target) throw new Error(`pipeline ${pipelineId} has no resource ${JSON.stringify(name)}`);
    return target;
  }

  #withConfig(pipeline: PipelineRecord, record: ResourceRecord): CheckTarget | undefined {
    this.#pipelinesOf(record.resourceConfigId).add(pipeline.id);
    const pipelineConfig = this.#o.configs.of(pipeline);
    const config = pipelineConfig.resources?.find((r) => r.name === record.name);
    const declaredTypes = pipelineConfig.resource_types ?? [];
    return (
      config && { pipeline, record, config, declaredTypes, triggers: this.#o.configs.triggersOf(pipeline) }
    );
  }

  #pipelinesOf(configId: number): Set<number> {
    let pipelines = this.#pipelinesOfConfig.get(configId);
    if (!pipelines) this.#pipelinesOfConfig.set(configId, (pipelines = new Set()));
    return pipelines;
  }

  async #check(target: CheckTarget, request: CheckRequest & { periodic: boolean }): Promise<CheckOutcome> {
    const { record } = target;
    this.#checking.add(record.id);
    const startedAt = this.#now();
    try {
      const outcome = await this.#checkConfigOf(target, request, startedAt);
      // a check cut short by a stopping server is not the resource's error
      if (!request.signal?.aborted) await this.#record(target, outcome);
      return outcome;
    } finally {
      this.#checking.delete(record.id);
    }
  }

  /** Resolves the source, moves the resource to its config and checks that config (or reuses its check). */
  async #checkConfigOf(
    { pipeline, record, config, declaredTypes }: CheckTarget,
    request: CheckRequest & { periodic: boolean },
    startedAt: number,
  ): Promise<CheckOutcome> {
    const redactor = new Redactor();
    let resolved;
    try {
      const vars = this.#o.vars(pipeline);
      const resolve = async (value: Config | undefined) =>
        (await resolveSource(value, vars, redactor)).source;
      resolved = await resolveResourceType(declaredTypes, record.type, await resolve(config.source), {
        builtins: this.#o.resources,
        custom: this.#o.customTypes,
        resolve,
      });
    } catch (err) {
      return { startedAt, endedAt: this.#now(), error: redactor.redact(errorText(err)) };
    }
    const { driver, source, scope } = resolved;
    const configId = await useEvaluatedConfig(this.#o.store, record.id, record.type, scope);
    this.#pipelinesOf(configId).add(pipeline.id);
    const last = this.#lastSuccess.get(configId);
    const interval = checkInterval(record.checkEvery);
    if (request.periodic && last && interval !== undefined && startedAt - last.endedAt < interval)
      return last;
    // a check from a given version (`check-resource --from`) is the caller's own, and an explicit
    // check does not join one that may have listed the remote before the push it was asked for
    let running = request.from || !request.periodic ? undefined : this.#inFlight.get(configId);
    if (!running) {
      running = this.#runCheck(
        configId,
        record.id,
        (from) =>
          driver.check(source, from, {
            fresh: !request.periodic,
            ...(request.signal && { signal: request.signal }),
          }),
        request,
      );
      const shared = running;
      this.#inFlight.set(configId, shared);
      void shared.finally(() => {
        if (this.#inFlight.get(configId) === shared) this.#inFlight.delete(configId);
      });
    }
    const { outcome, foundNew } = await running;
    if (foundNew) this.#o.onNewVersions([...this.#pipelinesOf(configId)]);
    return outcome.error === undefined ? outcome : { ...outcome, error: redactor.redact(outcome.error) };
  }

  async #runCheck(
    configId: number,
    resourceId: number,
    check: (from: Record<string, string> | undefined) => Promise<Record<string, string>[]>,
    request: CheckRequest,
  ): Promise<ConfigCheck> {
    const startedAt = this.#now();
    let release: Release | undefined;
    try {
      release = await this.#slots.acquire(request.signal);
      const [newest] = await this.#o.store.listVersions(resourceId, { limit: 1 });
      const versions = await check(request.from ?? newest?.version);
      const saved = await this.#o.store.saveVersions(
        configId,
        versions.map((version) => ({ version })),
      );
      const foundNew = saved.some((v) => v.id !== newest?.id);
      const outcome = { startedAt, endedAt: this.#now(), error: undefined };
      this.#lastSuccess.set(configId, outcome);
      return { outcome, foundNew };
    } catch (err) {
      return { outcome: { startedAt, endedAt: this.#now(), error: errorText(err) }, foundNew: false };
    } finally {
      release?.();
    }
  }

  async #record({ pipeline, record }: CheckTarget, outcome: CheckOutcome): Promise<void> {
    if (outcome.error === undefined) this.#failures.delete(record.id);
    else {
      this.#failures.set(record.id, (this.#failures.get(record.id) ?? 0) + 1);
      this.#o.logger.info(
        { team: pipeline.team, pipeline: pipeline.name, resource: record.name, error: outcome.error },
        "check failed",
      );
    }
    await this.#o.store.recordCheck(record.id, outcome);
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

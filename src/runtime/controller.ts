import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/objects.ts";
import { EventRecorder } from "./events.ts";
import { objectKey, type Informer, type InformerSpec } from "./informer.ts";
import { InformerFactory } from "./informer-factory.ts";
import { loggerFor, objectLogFields, silentLogger, type Logger } from "./logger.ts";
import { deepEqual } from "./merge-patch.ts";
import { RuntimeMetrics } from "./metrics.ts";
import { jittered, WorkQueue, type BackoffOptions } from "./queue.ts";
import { requestedAtAnnotation } from "../api/kinds.ts";

/** A successful reconcile; `requeueAfterMs` (usually the object's `interval`) schedules the next one, jittered. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export interface ReconcileContext {
  /** the work-queue key, `namespace/name` */
  key: string;
  /** aborted when the shutdown deadline passes: long operations should stop and return */
  signal: AbortSignal;
  /** carries controller, kind, namespace and name */
  log: Logger;
  events: EventRecorder;
  client: KubeClient;
}

/** Reconciles one object towards its spec. A thrown error retries with per-key exponential backoff. */
export type Reconciler<T extends KubeObject> = (obj: T, ctx: ReconcileContext) => Promise<ReconcileResult>;

/** Another kind whose changes reconcile primary objects, e.g. a Secret → the GitRepositories using it. */
export interface WatchSpec extends InformerSpec {
  /** the keys (`namespace/name`) of the primary objects to reconcile when `obj` changes */
  map: (obj: KubeObject) => string[];
}

export interface ControllerOptions<T extends KubeObject> {
  /** e.g. "gitrepository": names the queue, metrics and the events' source component */
  name: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  client: KubeClient;
  reconcile: Reconciler<T>;
  /** keys reconciled at once (default 4) */
  concurrency?: number;
  watches?: WatchSpec[];
  /** shared informers; the controller makes its own otherwise */
  informers?: InformerFactory;
  logger?: Logger;
  metrics?: RuntimeMetrics;
  events?: EventRecorder;
  backoff?: BackoffOptions;
  /** which updates of a primary object need a reconcile (default: `reconcileTriggered`) */
  shouldReconcileUpdate?: (oldObj: T, newObj: T) => boolean;
  /** how long shutdown waits for in-flight reconciles before aborting their signal (default 30 s) */
  shutdownTimeoutMs?: number;
}

/**
 * Whether an update of a primary object asks for a reconcile: a new generation, a new
 * `reconcile.fluxcd.io/requestedAt`, a deletion starting, or — for kinds without generation — any
 * change outside status and bookkeeping. Our own status patches therefore do not loop.
 */
export function reconcileTriggered(oldObj: KubeObject, newObj: KubeObject): boolean {
  const o = oldObj.metadata;
  const n = newObj.metadata;
  if (o.annotations?.[requestedAtAnnotation] !== n.annotations?.[requestedAtAnnotation]) return true;
  if (!o.deletionTimestamp && n.deletionTimestamp) return true;
  if (n.generation !== undefined || o.generation !== undefined) return n.generation !== o.generation;
  return !deepEqual(withoutBookkeeping(oldObj), withoutBookkeeping(newObj));
}

function withoutBookkeeping(obj: KubeObject): unknown {
  const copy: Record<string, unknown> = { ...obj };
  const metadata: Record<string, unknown> = { ...obj.metadata };
  delete copy["status"];
  delete metadata["resourceVersion"];
  delete metadata["managedFields"];
  return { ...copy, metadata };
}

/** Runs one reconciler: informer events and explicit requests feed a work queue, workers reconcile. */
export class Controller<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly informer: Informer<T>;
  readonly #options: ControllerOptions<T>;
  readonly #watched: { informer: Informer; map: (obj: KubeObject) => string[] }[];
  readonly #log: Logger;
  readonly #metrics: RuntimeMetrics;
  readonly #events: EventRecorder;
  /** set when no shared factory was given: the controller then runs its informers itself */
  readonly #ownInformers: InformerFactory | undefined;
  #queue: WorkQueue | undefined;
  #running = false;

  constructor(options: ControllerOptions<T>) {
    this.#options = options;
    this.name = options.name;
    this.#ownInformers = options.informers
      ? undefined
      : new InformerFactory(options.client, {
          ...(options.logger ? { logger: options.logger } : {}),
          ...(options.metrics ? { metrics: options.metrics } : {}),
        });
    const informers = options.informers ?? this.#ownInformers!;
    const { apiVersion, kind, namespace, labelSelector } = options;
    this.informer = informers.informer<T>({
      apiVersion,
      kind,
      ...(namespace ? { namespace } : {}),
      ...(labelSelector ? { labelSelector } : {}),
    });
    this.#watched = (options.watches ?? []).map(({ map, ...spec }) => ({
      informer: informers.informer(spec),
      map,
    }));
    this.#log = (options.logger ?? silentLogger()).child({ controller: options.name });
    this.#metrics = options.metrics ?? new RuntimeMetrics();
    this.#events =
      options.events ??
      new EventRecorder({ client: options.client, controller: options.name, logger: this.#log });
  }

  /** Every informer this controller reads (primary first). */
  get informers(): Informer[] {
    return [this.informer as unknown as Informer, ...this.#watched.map((w) => w.informer)];
  }

  /** Asks for a reconcile of `key` (`namespace/name`); ignored while the controller is not running. */
  enqueue(key: string): void {
    this.#queue?.add(key);
  }

  /**
   * Reconciles until `signal` aborts, then stops taking work and waits for in-flight reconciles.
   * Shared informers are run by their owner (the Manager); a controller without them runs its own.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error(`controller ${this.name} is already running`);
    this.#running = true;
    const stopInformers = new AbortController();
    const informersDone = this.#ownInformers?.run(stopInformers.signal);
    try {
      for (const informer of this.informers) if (!(await informer.waitForSync(signal))) return;
      await this.#work(signal);
    } finally {
      stopInformers.abort();
      await informersDone;
      this.#running = false;
    }
  }

  async #work(signal: AbortSignal): Promise<void> {
    const hardStop = new AbortController();
    const queue: WorkQueue = new WorkQueue({
      name: this.name,
      concurrency: this.#options.concurrency ?? 4,
      process: (key) => this.#process(queue, key, hardStop.signal),
      depth: this.#metrics.workqueueDepth,
      ...(this.#options.backoff ? { backoff: this.#options.backoff } : {}),
    });
    this.#queue = queue;
    const unsubscribe = this.#subscribe(queue);
    for (const key of this.informer.keys()) queue.add(key);
    this.#log.info(
      { kind: this.#options.kind, concurrency: this.#options.concurrency ?? 4 },
      "controller started",
    );
    try {
      await aborted(signal);
    } finally {
      for (const off of unsubscribe) off();
      await this.#drain(queue, hardStop);
      this.#queue = undefined;
      this.#log.info("controller stopped");
    }
  }

  #subscribe(queue: WorkQueue): (() => void)[] {
    const predicate = this.#options.shouldReconcileUpdate ?? reconcileTriggered;
    const offs = [
      this.informer.addHandler({
        onAdd: (obj) => queue.add(objectKey(obj)),
        onUpdate: (oldObj, newObj) => {
          if (predicate(oldObj, newObj)) queue.add(objectKey(newObj));
        },
        onDelete: (obj) => queue.forget(objectKey(obj)),
      }),
    ];
    for (const { informer, map } of this.#watched) {
      const enqueue = (...objs: KubeObject[]) => new Set(objs.flatMap(map)).forEach((k) => queue.add(k));
      offs.push(informer.addHandler({ onAdd: enqueue, onUpdate: enqueue, onDelete: enqueue }));
    }
    return offs;
  }

  async #drain(queue: WorkQueue, hardStop: AbortController): Promise<void> {
    const timeoutMs = this.#options.shutdownTimeoutMs ?? 30_000;
    const deadline = new AbortController();
    const finished = queue.shutDown().then(() => true);
    const expired = sleep(timeoutMs, false, { signal: deadline.signal }).catch(() => false);
    const done = await Promise.race([finished, expired]);
    deadline.abort();
    if (!done) {
      this.#log.warn(
        { inFlight: queue.active, timeoutMs },
        "shutdown deadline passed; aborting in-flight reconciles",
      );
      hardStop.abort();
    }
  }

  async #process(queue: WorkQueue, key: string, signal: AbortSignal): Promise<void> {
    const obj = this.informer.get(key);
    // gone from the cache: deleted for good (finalizers keep an object, with a deletionTimestamp, until handled)
    if (!obj) return;
    const log = loggerFor(this.#log, objectLogFields(obj));
    const kind = this.#options.kind;
    const started = performance.now();
    try {
      const result = await this.#options.reconcile(obj, {
        key,
        signal,
        log,
        events: this.#events,
        client: this.#options.client,
      });
      this.#metrics.reconcileTotal.inc({ kind, result: "success" });
      log.debug(
        { durationMs: Math.round(performance.now() - started), requeueAfterMs: result.requeueAfterMs },
        "reconciled",
      );
      if (result.requeueAfterMs !== undefined && result.requeueAfterMs > 0)
        queue.addAfter(key, jittered(result.requeueAfterMs));
    } catch (err) {
      this.#metrics.reconcileTotal.inc({ kind, result: "error" });
      log.error({ err, failures: queue.failureCount(key) + 1 }, "reconcile failed; retrying with backoff");
      throw err;
    } finally {
      this.#metrics.reconcileDuration.observe({ kind }, (performance.now() - started) / 1000);
    }
  }
}

/** Resolves when `signal` aborts. */
async function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

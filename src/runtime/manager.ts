import type { AddressInfo } from "node:net";
import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/objects.ts";
import { Controller, type ControllerOptions } from "./controller.ts";
import { EventLoopDelayMonitor } from "./event-loop-delay.ts";
import { EventRecorder } from "./events.ts";
import { HealthServer } from "./health-server.ts";
import { InformerFactory, type InformerFactoryOptions } from "./informer-factory.ts";
import { LeaderElector, type LeaderElectionOptions } from "./leader-election.ts";
import { silentLogger, type Logger } from "./logger.ts";
import { RuntimeMetrics } from "./metrics.ts";
import { RunnableGroup, untilAborted, type Runnable, type RunnableOptions } from "./runnable.ts";

export interface ManagerOptions {
  client: KubeClient;
  logger?: Logger;
  metrics?: RuntimeMetrics;
  /** run controllers only while holding this Lease; standby replicas keep their caches warm */
  leaderElection?: Omit<
    LeaderElectionOptions,
    "client" | "logger" | "metrics" | "onStartedLeading" | "onStoppedLeading"
  >;
  /** serve /metrics, /healthz, /readyz here */
  health?: { host?: string; port: number };
  /** how long shutdown waits for in-flight reconciles (default 30 s) */
  shutdownTimeoutMs?: number;
  informerDefaults?: InformerFactoryOptions["defaults"];
}

/** What a controller needs besides what the manager provides (client, informers, logs, metrics, events). */
export type ManagedControllerOptions<T extends KubeObject> = Omit<
  ControllerOptions<T>,
  "client" | "informers" | "logger" | "metrics" | "events"
>;

/**
 * Runs a set of controllers and runnables: shared informers, leader election (optional), the
 * health server, and a graceful shutdown that lets in-flight reconciles finish (up to a deadline)
 * before releasing the lease.
 *
 * Start order: the health server, the runnables of every replica, then (caches synced and, with
 * leader election, leading) the leader-only runnables and the controllers. Everything stops in
 * the reverse order. A runnable that fails to start, or fails while running, stops the manager:
 * `run` then rejects with its error.
 */
export class Manager {
  readonly client: KubeClient;
  readonly informers: InformerFactory;
  readonly metrics: RuntimeMetrics;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly elector: LeaderElector | undefined;
  readonly #options: ManagerOptions;
  readonly #controllers: Controller<KubeObject>[] = [];
  readonly #health: HealthServer;
  readonly #everywhere: Runnable[] = [];
  readonly #leaderOnly: Runnable[] = [];
  readonly #started = Promise.withResolvers<void>();
  #running = false;
  #failure: { error: Error | undefined; stop: AbortController } | undefined;

  constructor(options: ManagerOptions) {
    this.#options = options;
    this.client = options.client;
    this.logger = options.logger ?? silentLogger();
    this.metrics = options.metrics ?? new RuntimeMetrics();
    this.informers = new InformerFactory(options.client, {
      logger: this.logger,
      metrics: this.metrics,
      ...(options.informerDefaults ? { defaults: options.informerDefaults } : {}),
    });
    this.events = new EventRecorder({ client: options.client, controller: "manager", logger: this.logger });
    this.elector = options.leaderElection ? this.#makeElector(options.leaderElection) : undefined;
    this.#health = new HealthServer({ registry: this.metrics.registry, logger: this.logger });
    this.#everywhere.push(new EventLoopDelayMonitor(this.metrics.registry));
    this.#health.addReadyCheck("informers", () => this.informers.hasSynced());
    if (this.elector) this.#health.addReadyCheck("leader-election", () => this.elector?.isRunning() ?? false);
  }

  /** Creates a controller wired to this manager's client, informers, logger, metrics and events. */
  controller<T extends KubeObject>(options: ManagedControllerOptions<T>): Controller<T> {
    const controller = new Controller<T>({
      shutdownTimeoutMs: this.#options.shutdownTimeoutMs ?? 30_000,
      ...options,
      client: this.client,
      informers: this.informers,
      logger: this.logger,
      metrics: this.metrics,
      events: this.events.forController(options.name),
    });
    this.#controllers.push(controller as unknown as Controller<KubeObject>);
    return controller;
  }

  /** Runs `runnable` on every replica, or with `leaderOnly` only while leading. Call before `run`. */
  add(runnable: Runnable, options: RunnableOptions = {}): void {
    (options.leaderOnly ? this.#leaderOnly : this.#everywhere).push(runnable);
  }

  /**
   * Resolves once `run` has started the health server and the runnables of every replica (their
   * addresses are known then), or once `run` has ended without getting there.
   */
  whenStarted(): Promise<void> {
    return this.#started.promise;
  }

  /** The health server's address once `run` has started it. */
  get healthAddress(): AddressInfo | undefined {
    return this.#health.address;
  }

  /** Informers synced and, with leader election, campaigning or leading. */
  isReady(): boolean {
    return this.informers.hasSynced() && (this.elector?.isRunning() ?? true);
  }

  /** Runs until `signal` aborts, then shuts down gracefully; resolves when everything has stopped. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error("the manager is already running");
    this.#running = true;
    const stop = new AbortController();
    const failure: { error: Error | undefined; stop: AbortController } = { error: undefined, stop };
    this.#failure = failure;
    const stopOnAbort = () => stop.abort();
    if (signal.aborted) stop.abort();
    else signal.addEventListener("abort", stopOnAbort, { once: true });
    const stopInformers = new AbortController();
    const informersDone = this.informers.run(stopInformers.signal);
    const everywhere = new RunnableGroup(this.#everywhere, this.logger, (err) => this.#fail(err));
    try {
      if (this.#options.health) await this.#health.start(this.#options.health);
      await everywhere.start();
      this.#started.resolve();
      if (await this.informers.waitForSync(stop.signal)) {
        this.logger.info({ controllers: this.#controllers.map((c) => c.name) }, "caches synced");
        if (this.elector) await this.elector.run(stop.signal);
        else await this.#lead(stop.signal);
      }
    } finally {
      this.#started.resolve();
      await everywhere.stop();
      stopInformers.abort();
      await informersDone;
      await this.#health.close();
      signal.removeEventListener("abort", stopOnAbort);
      this.#failure = undefined;
      this.#running = false;
      this.logger.info("manager stopped");
    }
    if (failure.error) throw failure.error;
  }

  /** The leader's work: leader-only runnables, then the controllers, until `signal` aborts. */
  async #lead(signal: AbortSignal): Promise<void> {
    const leaderOnly = new RunnableGroup(this.#leaderOnly, this.logger, (err) => this.#fail(err));
    try {
      await leaderOnly.start();
      // leader-only runnables keep running while leading, even with no controllers
      await Promise.all([...this.#controllers.map((c) => c.run(signal)), untilAborted(signal)]);
    } catch (err) {
      this.#fail(err);
    } finally {
      await leaderOnly.stop();
    }
  }

  /** Stops the run with `error` (the first one wins). */
  #fail(error: unknown): void {
    if (!this.#failure) return;
    this.#failure.error ??= error instanceof Error ? error : new Error(String(error));
    this.#failure.stop.abort();
  }

  #makeElector(options: NonNullable<ManagerOptions["leaderElection"]>): LeaderElector {
    return new LeaderElector({
      ...options,
      client: this.client,
      logger: this.logger,
      metrics: this.metrics,
      onStartedLeading: (signal) => this.#lead(signal),
    });
  }
}

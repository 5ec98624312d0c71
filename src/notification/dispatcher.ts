import { hostname } from "node:os";
import { backoffDelay } from "../common/http-retry.ts";
import type { InvolvedObject, RecordedEvent } from "../runtime/events.ts";
import { silentLogger, type Logger } from "../runtime/logger.ts";
import { NotificationError } from "./errors.ts";
import { notificationFor, revisionOf, toFluxEvent } from "./event.ts";
import { matchAlert, needsLabels } from "./match.ts";
import { senders as defaultSenders } from "./providers/index.ts";
import {
  commitStatusProviders,
  type AlertSpecLike,
  type FluxEvent,
  type ProviderConfig,
  type ProviderType,
  type SendFn,
} from "./types.ts";

export interface AlertTarget<A extends AlertSpecLike = AlertSpecLike> {
  alert: A;
  provider: ProviderConfig;
}

export interface DispatcherOptions<A extends AlertSpecLike = AlertSpecLike> {
  /**
   * Candidate Alerts for an event with their resolved Providers (Secret values filled in). The
   * dispatcher filters them with `matchAlert`, so returning every Alert of the event's namespace is fine.
   */
  alertsFor(event: RecordedEvent): Promise<AlertTarget<A>[]>;
  /** The involved object's labels, asked only when a candidate Alert source has matchLabels. */
  labelsFor?(object: InvolvedObject): Promise<Record<string, string> | undefined>;
  /** A notification was given up (after retries, or not retryable); never called with a secret. */
  onSendFailed?(alert: A, provider: ProviderConfig, error: Error, event: FluxEvent): void;
  logger?: Logger;
  /** identical events (object, type, reason, message, revision) within this window are sent once; default 10 s */
  dedupWindowMs?: number;
  /** notifications waiting or retrying at most; beyond, new ones fail with QueueFull; default 1000 */
  maxQueued?: number;
  /** sends in flight at once; default 8 */
  concurrency?: number;
  /** attempts per notification including the first; default 4 */
  maxAttempts?: number;
  /** default 1 s */
  retryBaseDelayMs?: number;
  /** cap for backoff and Retry-After; default 60 s */
  maxRetryDelayMs?: number;
  /** default 15 s */
  defaultTimeoutMs?: number;
  senders?: Partial<Record<ProviderType, SendFn>>;
  reportingInstance?: string;
  now?: () => number;
  random?: () => number;
}

interface Job<A> {
  alert: A;
  provider: ProviderConfig;
  notification: FluxEvent;
  attempt: number;
}

export interface CloseOptions {
  /** wait for queued and retrying notifications (true, default) or abort them at once */
  drain?: boolean;
  /** give up draining after this long and abort the rest; default 10 s */
  timeoutMs?: number;
}

/**
 * Turns recorded events into notifications: matches Alerts, collapses repeats, and sends through a
 * bounded queue with retries. `handle` never blocks or throws; failures go to `onSendFailed`.
 */
export class Dispatcher<A extends AlertSpecLike = AlertSpecLike> {
  readonly #options: DispatcherOptions<A>;
  readonly #log: Logger;
  readonly #senders: Record<ProviderType, SendFn>;
  readonly #instance: string;
  readonly #recent = new Map<string, number>();
  readonly #ready: Job<A>[] = [];
  readonly #timers = new Map<NodeJS.Timeout, Job<A>>();
  readonly #lookups = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  readonly #idleWaiters: (() => void)[] = [];
  #active = 0;
  #closed = false;

  constructor(options: DispatcherOptions<A>) {
    this.#options = options;
    this.#log = options.logger ?? silentLogger();
    this.#senders = { ...defaultSenders, ...options.senders };
    this.#instance = options.reportingInstance ?? hostname();
  }

  /** Subscribes to a recorder; returns the unsubscribe function. */
  subscribe(recorder: { onEvent(fn: (e: RecordedEvent) => void): () => void }): () => void {
    return recorder.onEvent((e) => this.handle(e));
  }

  /** Notifications queued, retrying or in flight. */
  get pending(): number {
    return this.#ready.length + this.#timers.size + this.#active;
  }

  /** Takes one event; returns at once. */
  handle(event: RecordedEvent): void {
    if (this.#closed) return;
    try {
      if (this.#isRepeat(event)) return;
      const lookup = this.#route(event).finally(() => {
        this.#lookups.delete(lookup);
        this.#checkIdle();
      });
      this.#lookups.add(lookup);
    } catch (err) {
      this.#log.error({ err }, "notification dispatch failed");
    }
  }

  /** Stops taking events; drains (bounded by timeoutMs) or aborts what is left. */
  async close(options: CloseOptions = {}): Promise<void> {
    this.#closed = true;
    if (options.drain ?? true) {
      await this.#idleWithin(options.timeoutMs ?? 10_000);
    }
    this.#abort.abort(new Error("dispatcher closed"));
    for (const [timer, job] of this.#timers) {
      clearTimeout(timer);
      this.#log.warn(this.#fields(job), "notification dropped at shutdown");
    }
    this.#timers.clear();
    for (const job of this.#ready.splice(0))
      this.#log.warn(this.#fields(job), "notification dropped at shutdown");
    this.#checkIdle();
    await this.#idleWithin(options.timeoutMs ?? 10_000);
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #isRepeat(event: RecordedEvent): boolean {
    const window = this.#options.dedupWindowMs ?? 10_000;
    if (window <= 0) return false;
    const o = event.involvedObject;
    const key = JSON.stringify([
      o.apiVersion,
      o.kind,
      o.namespace,
      o.name,
      o.uid,
      event.type,
      event.reason,
      event.message,
      event.revision,
    ]);
    const now = this.#now();
    const last = this.#recent.get(key);
    if (last !== undefined && now - last < window) return true;
    this.#recent.set(key, now);
    if (this.#recent.size > 256) {
      for (const [k, t] of this.#recent) if (now - t >= window) this.#recent.delete(k);
    }
    return false;
  }

  async #route(event: RecordedEvent): Promise<void> {
    let targets: AlertTarget<A>[];
    try {
      targets = await this.#options.alertsFor(event);
    } catch (err) {
      this.#log.error(
        { err, kind: event.involvedObject.kind, name: event.involvedObject.name },
        "listing alerts failed",
      );
      return;
    }
    let labels: Record<string, string> | undefined;
    if (targets.some((t) => needsLabels(t.alert)) && this.#options.labelsFor) {
      try {
        labels = await this.#options.labelsFor(event.involvedObject);
      } catch (err) {
        this.#log.warn(
          { err, kind: event.involvedObject.kind, name: event.involvedObject.name },
          "reading labels failed",
        );
      }
    }
    const base = toFluxEvent(event, this.#instance);
    for (const { alert, provider } of targets) {
      if (provider.suspend || !matchAlert(alert, event, labels)) continue;
      const notification = notificationFor(base, alert);
      if (commitStatusProviders.has(provider.type) && !revisionOf(notification)) continue;
      this.#enqueue({ alert, provider, notification, attempt: 0 });
    }
  }

  #enqueue(job: Job<A>): void {
    if (this.#closed && this.#abort.signal.aborted) return;
    if (this.pending >= (this.#options.maxQueued ?? 1000)) {
      this.#fail(
        job,
        new NotificationError({
          reason: "QueueFull",
          provider: job.provider.type,
          message: `notification queue full: dropped the notification for ${describe(job.notification)}`,
        }),
      );
      return;
    }
    this.#ready.push(job);
    this.#pump();
  }

  #pump(): void {
    const limit = this.#options.concurrency ?? 8;
    while (this.#active < limit && this.#ready.length) {
      const job = this.#ready.shift()!;
      this.#active++;
      void this.#run(job).finally(() => {
        this.#active--;
        this.#pump();
        this.#checkIdle();
      });
    }
  }

  async #run(job: Job<A>): Promise<void> {
    const send = this.#senders[job.provider.type];
    try {
      if (!send) {
        throw new NotificationError({
          reason: "InvalidConfig",
          provider: job.provider.type,
          message: `unsupported provider type ${JSON.stringify(job.provider.type)}`,
        });
      }
      const { type: _t, name: _n, namespace: _ns, suspend: _s, timeoutMs, ...rest } = job.provider;
      await send(
        {
          ...rest,
          timeoutMs: timeoutMs ?? this.#options.defaultTimeoutMs ?? 15_000,
          signal: this.#abort.signal,
        },
        job.notification,
      );
      this.#log.debug(this.#fields(job), "notification sent");
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (this.#abort.signal.aborted) {
        this.#log.warn(this.#fields(job), "notification aborted at shutdown");
        return;
      }
      const attempts = this.#options.maxAttempts ?? 4;
      if (error instanceof NotificationError && error.retryable && job.attempt + 1 < attempts) {
        this.#retryLater(job, error);
        return;
      }
      this.#fail(job, error);
    }
  }

  #retryLater(job: Job<A>, error: NotificationError): void {
    const max = this.#options.maxRetryDelayMs ?? 60_000;
    const backoff = backoffDelay(
      job.attempt,
      this.#options.retryBaseDelayMs ?? 1000,
      max,
      this.#options.random,
    );
    const delay = Math.min(max, Math.max(backoff, error.retryAfterMs ?? 0));
    this.#log.info(
      {
        ...this.#fields(job),
        attempt: job.attempt + 1,
        delayMs: delay,
        reason: error.reason,
        status: error.status,
      },
      "notification failed, retrying",
    );
    const next = { ...job, attempt: job.attempt + 1 };
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#ready.push(next);
      this.#pump();
    }, delay);
    this.#timers.set(timer, next);
  }

  #fail(job: Job<A>, error: Error): void {
    this.#log.warn(
      { ...this.#fields(job), err: { message: error.message, name: error.name } },
      "notification failed",
    );
    try {
      this.#options.onSendFailed?.(job.alert, job.provider, error, job.notification);
    } catch (err) {
      this.#log.error({ err }, "onSendFailed callback failed");
    }
  }

  #fields(job: Job<A>): Record<string, unknown> {
    const o = job.notification.involvedObject;
    return {
      alert: `${job.alert.namespace}/${job.alert.name ?? ""}`,
      provider: `${job.provider.namespace}/${job.provider.name}`,
      providerType: job.provider.type,
      kind: o.kind,
      namespace: o.namespace,
      name: o.name,
      revision: revisionOf(job.notification),
    };
  }

  async #idleWithin(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#idle(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  #idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return this.pending === 0 && this.#lookups.size === 0;
  }

  #checkIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}

function describe(e: FluxEvent): string {
  const o = e.involvedObject;
  return `${o.kind}/${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

import type { Gauge } from "./metrics.ts";

export interface BackoffOptions {
  /** delay after the first failure */
  baseMs: number;
  /** the delay doubles per consecutive failure up to this cap */
  maxMs: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 500, maxMs: 15 * 60_000 };

/** The delay before retry number `failures` (1 = first failure): base·2^(failures−1), capped. */
export function backoffDelayMs(failures: number, options: BackoffOptions = defaultBackoff): number {
  if (failures <= 0) return 0;
  const exponent = Math.min(failures - 1, 52);
  return Math.min(options.baseMs * 2 ** exponent, options.maxMs);
}

/**
 * `ms` spread uniformly over ±`fraction`, so objects created together do not reconcile in lockstep
 * (Flux's interval jitter).
 */
export function jittered(ms: number, fraction = 0.05, random: () => number = Math.random): number {
  return Math.max(0, Math.round(ms * (1 + fraction * (2 * random() - 1))));
}

export interface WorkQueueOptions {
  /** names the queue in metrics and logs */
  name: string;
  /** at most this many keys are processed at once */
  concurrency: number;
  /** processes one key; a rejection retries the key with backoff, a resolution resets its backoff */
  process: (key: string) => Promise<void>;
  backoff?: BackoffOptions;
  depth?: Gauge;
}

/**
 * A level-based work queue keyed by string. A key added while queued is one item; a key added while
 * being processed is processed once more afterwards, never concurrently with itself.
 */
export class WorkQueue {
  readonly #options: WorkQueueOptions;
  readonly #backoff: BackoffOptions;
  readonly #queue: string[] = [];
  /** keys that need processing: queued, or added again while processing */
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #inFlight = new Set<Promise<void>>();
  #shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    if (!(options.concurrency >= 1)) throw new Error(`queue ${options.name}: concurrency must be at least 1`);
    this.#options = options;
    this.#backoff = options.backoff ?? defaultBackoff;
    this.#reportDepth();
  }

  /** Queues `key` now (deduplicated). Ignored once shutting down. */
  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    this.#queue.push(key);
    this.#reportDepth();
    this.#pump();
  }

  /** Queues `key` after `ms`; of several pending delays for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.#delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.#delayed.set(key, { at, timer });
  }

  /** Queues `key` after its next backoff delay; returns that delay. */
  addRateLimited(key: string): number {
    const n = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, n);
    const delay = backoffDelayMs(n, this.#backoff);
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets the backoff of `key`. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** Consecutive failures of `key` since its last success. */
  failureCount(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Keys waiting to be processed (not counting those in progress or delayed). */
  get length(): number {
    return this.#queue.length;
  }

  get active(): number {
    return this.#processing.size;
  }

  get isShuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Stops taking work: drops queued and delayed keys, resolves once in-flight keys are done. */
  async shutDown(): Promise<void> {
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) clearTimeout(timer);
    this.#delayed.clear();
    this.#queue.length = 0;
    this.#dirty.clear();
    this.#reportDepth();
    while (this.#inFlight.size) await Promise.all(this.#inFlight);
  }

  #pump(): void {
    while (!this.#shuttingDown && this.#processing.size < this.#options.concurrency && this.#queue.length) {
      const key = this.#queue.shift()!;
      this.#dirty.delete(key);
      this.#processing.add(key);
      const run = this.#run(key);
      this.#inFlight.add(run);
      void run.finally(() => this.#inFlight.delete(run));
    }
    this.#reportDepth();
  }

  async #run(key: string): Promise<void> {
    try {
      await this.#options.process(key);
      this.forget(key);
    } catch {
      // the processor reports its own errors; the queue only schedules the retry
      if (!this.#shuttingDown) this.addRateLimited(key);
    } finally {
      this.#processing.delete(key);
      if (this.#dirty.has(key) && !this.#shuttingDown) this.#queue.push(key);
      this.#pump();
    }
  }

  #reportDepth(): void {
    this.#options.depth?.set({ controller: this.#options.name }, this.#queue.length);
  }
}

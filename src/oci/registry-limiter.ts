import type { RequestGate } from "./transport.ts";
import { normaliseRegistry } from "./reference.ts";

/**
 * Per-registry admission shared by every ImageRepository of a process: a token bucket (a steady
 * `requestsPerSecond` with up to `burst` at once after a quiet spell) and at most `maxConcurrency`
 * requests in flight. Registries rate-limit per client address, so the budget is per registry
 * host, not per repository. Waiters are served first come, first served; a waiter whose signal
 * aborts leaves the queue without using a token.
 *
 * In any interval of T seconds at most `burst + requestsPerSecond * T` requests start.
 */

export interface RegistryLimit {
  requestsPerSecond: number;
  burst: number;
  maxConcurrency: number;
}

export interface RegistryLimiterOptions {
  /** Applies to every registry without an entry in `perRegistry`. */
  limit?: Partial<RegistryLimit>;
  /** Keyed by registry host as in image names ("ghcr.io", "docker.io", "localhost:5000"). */
  perRegistry?: Record<string, Partial<RegistryLimit>>;
}

export const defaultRegistryLimit: RegistryLimit = { requestsPerSecond: 20, burst: 40, maxConcurrency: 10 };

interface Waiter {
  resolve(release: () => void): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class RegistryLimiter implements RequestGate {
  readonly #limit: RegistryLimit;
  readonly #perRegistry: Map<string, RegistryLimit>;
  readonly #hosts = new Map<string, HostBucket>();

  constructor(options: RegistryLimiterOptions = {}) {
    this.#limit = checked({ ...defaultRegistryLimit, ...options.limit }, "default");
    this.#perRegistry = new Map(
      Object.entries(options.perRegistry ?? {}).map(([host, limit]) => [
        normaliseRegistry(host),
        checked({ ...this.#limit, ...limit }, host),
      ]),
    );
  }

  acquire(registry: string, signal?: AbortSignal): Promise<() => void> {
    const host = normaliseRegistry(registry);
    let bucket = this.#hosts.get(host);
    if (!bucket) {
      bucket = new HostBucket(this.#perRegistry.get(host) ?? this.#limit);
      this.#hosts.set(host, bucket);
    }
    return bucket.acquire(signal);
  }

  /** For metrics and tests: requests in flight and waiting for one registry. */
  stats(registry: string): { active: number; waiting: number } {
    const bucket = this.#hosts.get(normaliseRegistry(registry));
    return { active: bucket?.active ?? 0, waiting: bucket?.waiting ?? 0 };
  }
}

function checked(limit: RegistryLimit, name: string): RegistryLimit {
  const positive = (value: number) => Number.isFinite(value) && value > 0;
  if (!positive(limit.requestsPerSecond) || !positive(limit.burst) || limit.burst < 1) {
    throw new Error(`registry limit for ${name}: requestsPerSecond must be > 0 and burst >= 1`);
  }
  if (!Number.isInteger(limit.maxConcurrency) || limit.maxConcurrency < 1) {
    throw new Error(`registry limit for ${name}: maxConcurrency must be a positive integer`);
  }
  return limit;
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error(`aborted: ${String(reason)}`);
}

class HostBucket {
  active = 0;
  readonly #limit: RegistryLimit;
  #tokens: number;
  #refilledAt = performance.now();
  readonly #queue: Waiter[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(limit: RegistryLimit) {
    this.#limit = limit;
    this.#tokens = limit.burst;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  acquire(signal: AbortSignal | undefined): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#queue.indexOf(waiter);
          if (index !== -1) this.#queue.splice(index, 1);
          reject(abortReason(signal));
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#queue.length > 0 && this.active < this.#limit.maxConcurrency) {
      this.#refill();
      if (this.#tokens < 1) {
        this.#wakeWhenTokenDue();
        return;
      }
      this.#tokens -= 1;
      this.active++;
      const waiter = this.#queue.shift()!;
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(this.#releaser());
    }
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.#pump();
    };
  }

  #refill(): void {
    const now = performance.now();
    const earned = ((now - this.#refilledAt) / 1000) * this.#limit.requestsPerSecond;
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + earned);
    this.#refilledAt = now;
  }

  #wakeWhenTokenDue(): void {
    if (this.#timer) return;
    const delayMs = Math.ceil(((1 - this.#tokens) / this.#limit.requestsPerSecond) * 1000);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, delayMs);
  }
}

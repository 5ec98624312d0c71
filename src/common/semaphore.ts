/** Release a slot taken with {@link Semaphore.acquire}; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  grant: () => void;
  onAbort: () => void;
}

/** A counting semaphore whose waiters are served in order and can give up through an AbortSignal. */
export class Semaphore {
  #limit: number;
  #active = 0;
  readonly #waiters: Waiter[] = [];

  constructor(limit: number) {
    this.#limit = checkedLimit(limit);
  }

  get limit(): number {
    return this.#limit;
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Takes effect for the next acquisitions; running holders keep their slots. */
  setLimit(limit: number): void {
    this.#limit = checkedLimit(limit);
    this.#drain();
  }

  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", waiter.onAbort);
          this.#active++;
          resolve(this.#releaser());
        },
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(signal?.reason as Error);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#drain();
    });
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#drain();
    };
  }

  #drain(): void {
    while (this.#active < this.#limit) {
      const next = this.#waiters.shift();
      if (next === undefined) return;
      next.grant();
    }
  }
}

function checkedLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
  return limit;
}

/** A loop's sleep that a caller can cut short: `wake()` ends the current (or the next) sleep. */
export class Wakeup {
  #woken = false;
  #end: (() => void) | undefined;

  wake(): void {
    this.#woken = true;
    this.#end?.();
  }

  /** Resolves after `ms`, on `wake()`, or when `signal` aborts. */
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (!this.#woken && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const end = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", end);
          this.#end = undefined;
          resolve();
        };
        const timer = setTimeout(end, ms);
        signal.addEventListener("abort", end, { once: true });
        this.#end = end;
      });
    }
    this.#woken = false;
  }
}

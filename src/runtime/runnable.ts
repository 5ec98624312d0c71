import type { Logger } from "./logger.ts";

/**
 * Something long-lived the manager runs besides controllers: an HTTP server, the alert
 * dispatcher, the CI scheduler.
 */
export interface Runnable {
  readonly name: string;
  /**
   * Starts the work and resolves once it is under way (a server listening), or rejects when it
   * cannot start. The work stops when `signal` aborts; `done` resolves once it has stopped.
   */
  start(signal: AbortSignal): Promise<{ done: Promise<void> }>;
}

export interface RunnableOptions {
  /** run only while this replica leads, stopped when leadership is lost (default: on every replica) */
  leaderOnly?: boolean;
}

/** Resolves when `signal` aborts: the body of a runnable that only has to stop. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

interface Started {
  name: string;
  stop: AbortController;
  done: Promise<void>;
}

/**
 * Runnables started one after another and stopped in the reverse order, each waited for. A
 * runnable that fails to start stops those already started; one that fails while running is
 * reported to `onFailed`.
 */
export class RunnableGroup {
  readonly #runnables: readonly Runnable[];
  readonly #log: Logger;
  readonly #onFailed: (err: unknown) => void;
  #started: Started[] = [];

  constructor(runnables: readonly Runnable[], log: Logger, onFailed: (err: unknown) => void) {
    this.#runnables = runnables;
    this.#log = log;
    this.#onFailed = onFailed;
  }

  async start(): Promise<void> {
    for (const runnable of this.#runnables) {
      const stop = new AbortController();
      try {
        const { done } = await runnable.start(stop.signal);
        this.#started.push({
          name: runnable.name,
          stop,
          done: done.catch((err) => this.#failed(runnable, err)),
        });
      } catch (err) {
        this.#log.error({ err, runnable: runnable.name }, "cannot start");
        await this.stop();
        throw err;
      }
      this.#log.debug({ runnable: runnable.name }, "started");
    }
  }

  async stop(): Promise<void> {
    for (const started of this.#started.splice(0).reverse()) {
      started.stop.abort();
      await started.done;
      this.#log.debug({ runnable: started.name }, "stopped");
    }
  }

  #failed(runnable: Runnable, err: unknown): void {
    this.#log.error({ err, runnable: runnable.name }, "failed");
    this.#onFailed(err);
  }
}

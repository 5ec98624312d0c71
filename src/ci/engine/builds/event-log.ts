/**
 * A running build's event log: events are appended to the store in small batches (at most every
 * `flushMs`, and at once at step boundaries), then handed to the build's followers with the ids
 * and times the store gave them. Writes are sequential, so ids follow the order of the events.
 */
import type { BuildEvent, BuildEventInput, CiStore } from "../../store/store.ts";

export interface EventLogOptions {
  /** Longest time an event waits before it is written; 100 ms by default. */
  flushMs?: number | undefined;
  now?: () => number;
}

const STEP_BOUNDARIES = new Set(["step-started", "step-finished"]);

export class BuildEventLog {
  readonly #store: CiStore;
  readonly #buildId: number;
  readonly #flushMs: number;
  readonly #now: () => number;
  readonly #followers = new Set<(events: BuildEvent[]) => void>();
  #pending: BuildEventInput[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writes: Promise<void> = Promise.resolve();
  #failure: Error | undefined;

  constructor(store: CiStore, buildId: number, options: EventLogOptions = {}) {
    this.#store = store;
    this.#buildId = buildId;
    this.#flushMs = options.flushMs ?? 100;
    this.#now = options.now ?? Date.now;
  }

  append(event: BuildEventInput): void {
    this.#pending.push(event);
    if (STEP_BOUNDARIES.has(event.type)) void this.flush();
    else this.#timer ??= setTimeout(() => void this.flush(), this.#flushMs);
  }

  /** Writes what is pending; resolves once every event appended so far is stored. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length > 0) this.#writes = this.#writes.then(() => this.#write(batch));
    return this.#writes;
  }

  async #write(batch: BuildEventInput[]): Promise<void> {
    if (this.#failure !== undefined) return;
    try {
      const stored = await this.#store.appendBuildEvents(this.#buildId, batch, this.#now());
      this.#followers.forEach((follower) => notify(follower, stored));
    } catch (error) {
      this.#failure = error instanceof Error ? error : new Error(String(error));
    }
  }

  follow(listener: (events: BuildEvent[]) => void): () => void {
    this.#followers.add(listener);
    return () => this.#followers.delete(listener);
  }

  /** Writes the rest; throws the first write's failure, if any. */
  async close(): Promise<void> {
    await this.flush();
    if (this.#failure !== undefined) throw this.#failure;
  }
}

/** A follower (an API stream) that throws loses its events; the build and other followers do not. */
function notify(follower: (events: BuildEvent[]) => void, events: BuildEvent[]): void {
  try {
    follower(events);
  } catch {
    // the follower's own business
  }
}

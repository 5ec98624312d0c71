import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "../kube/client.ts";
import { KubeApiError } from "../kube/errors.ts";
import type { KubeList, KubeObject } from "../kube/objects.ts";
import { watch } from "../kube/watch.ts";
import { silentLogger, type Logger } from "./logger.ts";
import type { RuntimeMetrics } from "./metrics.ts";
import { backoffDelayMs, jittered, type BackoffOptions } from "./queue.ts";
import { IndexedStore } from "./store.ts";

export interface InformerSpec {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface InformerOptions extends InformerSpec {
  /** full relist and diff this often, catching anything a watch missed; 0 turns it off (default 10 min) */
  resyncMs?: number;
  /** items per list page (default 500) */
  pageSize?: number;
  /** the server ends each watch after this long (default: random between 5 and 10 minutes) */
  watchTimeoutSeconds?: number;
  /** delays between reconnect attempts after failures (default 250 ms doubling to 15 s) */
  backoff?: BackoffOptions;
  logger?: Logger;
  metrics?: RuntimeMetrics;
}

export interface InformerHandler<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

/** `namespace/name`, or `name` for cluster-scoped objects (the keys of stores and work queues). */
export function objectKey(obj: { metadata: { namespace?: string; name?: string } }): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name ?? ""}` : (name ?? "");
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

type WatchOutcome = "expired" | "ended" | "stopped";

/**
 * A list+watch cache of one kind. Lists (paginated), then watches from the list's resourceVersion
 * with bookmarks; reconnects from the last resourceVersion seen after a stream ends or fails; lists
 * again on 410 Gone and every `resyncMs`, diffing against the cache so handlers hear of every
 * change exactly as if they had watched it, even ones that happened while disconnected.
 */
export class Informer<T extends KubeObject = KubeObject> {
  readonly apiVersion: string;
  readonly kind: string;
  readonly #client: KubeClient;
  readonly #options: InformerOptions;
  readonly #store = new IndexedStore<T>();
  readonly #handlers = new Set<InformerHandler<T>>();
  readonly #log: Logger;
  #resourceVersion = "";
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #nextResyncAt = Infinity;
  #running = false;

  constructor(client: KubeClient, options: InformerOptions) {
    this.#client = client;
    this.#options = options;
    this.apiVersion = options.apiVersion;
    this.kind = options.kind;
    this.#log = (options.logger ?? silentLogger()).child({ informer: options.kind });
  }

  get spec(): InformerSpec {
    const { apiVersion, kind, namespace, labelSelector, fieldSelector } = this.#options;
    return { apiVersion, kind, ...defined({ namespace, labelSelector, fieldSelector }) };
  }

  /** Registers handlers; returns the function that removes them. */
  addHandler(handler: InformerHandler<T>): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  addIndex(name: string, fn: (obj: T) => string[]): void {
    this.#store.addIndex(name, fn);
  }

  byIndex(name: string, value: string): T[] {
    return this.#store.byIndex(name, value);
  }

  get(key: string): T | undefined {
    return this.#store.get(key);
  }

  list(): T[] {
    return this.#store.values();
  }

  keys(): string[] {
    return this.#store.keys();
  }

  /** True once the first list has been stored and handed to the handlers. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** The resourceVersion the cache is current to. */
  get lastResourceVersion(): string {
    return this.#resourceVersion;
  }

  /** Resolves true once synced, false if `signal` aborts first. */
  async waitForSync(signal: AbortSignal): Promise<boolean> {
    if (this.#synced) return true;
    if (signal.aborted) return false;
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#syncWaiters.push(() => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      });
    });
  }

  /** Keeps the cache current until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error(`informer for ${this.kind} is already running`);
    this.#running = true;
    try {
      await this.#loop(signal);
    } finally {
      this.#running = false;
    }
  }

  async #loop(signal: AbortSignal): Promise<void> {
    let needList = true;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (needList || Date.now() >= this.#nextResyncAt) {
          await this.#relist(signal);
          needList = false;
        }
        const started = Date.now();
        const outcome = await this.#watchUntilResync(signal);
        if (outcome === "stopped") continue;
        if (outcome === "expired") needList = true;
        this.#restarted(outcome);
        // a stream the server closes at once, again and again, must not spin
        failures = Date.now() - started < 1000 && outcome === "ended" ? failures + 1 : 0;
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        if (err instanceof KubeApiError && err.status === 410) needList = true;
        this.#log.warn({ err, kind: this.kind, failures }, "list/watch failed; retrying");
        this.#restarted("error");
      }
      if (failures > 0) await pause(jittered(backoffDelayMs(failures, this.#backoff), 0.2), signal);
    }
  }

  get #backoff(): BackoffOptions {
    return this.#options.backoff ?? { baseMs: 250, maxMs: 15_000 };
  }

  #restarted(reason: string): void {
    this.#options.metrics?.watchRestarts.inc({ kind: this.kind });
    this.#log.debug({ kind: this.kind, reason, resourceVersion: this.#resourceVersion }, "restarting watch");
  }

  /** Watches until the stream ends, expires, or the next resync is due ("stopped"). */
  async #watchUntilResync(signal: AbortSignal): Promise<WatchOutcome> {
    const resync = new AbortController();
    const untilResync = this.#nextResyncAt - Date.now();
    const timer = Number.isFinite(untilResync)
      ? setTimeout(() => resync.abort(), Math.max(0, untilResync))
      : undefined;
    try {
      const outcome = await this.#watchOnce(AbortSignal.any([signal, resync.signal]));
      return signal.aborted || resync.signal.aborted ? "stopped" : outcome;
    } finally {
      clearTimeout(timer);
    }
  }

  async #watchOnce(signal: AbortSignal): Promise<WatchOutcome> {
    const timeoutSeconds = this.#options.watchTimeoutSeconds ?? Math.floor(300 * (1 + Math.random()));
    const events = watch<T>(
      this.#client,
      { ...this.spec, resourceVersion: this.#resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
      signal,
    );
    for await (const event of events) {
      switch (event.type) {
        case "EXPIRED":
          this.#log.debug({ kind: this.kind, message: event.status.message }, "watch expired; listing again");
          return "expired";
        case "ERROR":
          throw new KubeApiError(
            event.status.code ?? 500,
            event.status.reason ?? "Unknown",
            event.status.message ?? "watch error",
          );
        case "ADDED":
        case "MODIFIED":
          this.#upsert(event.object);
          break;
        case "DELETED":
          this.#remove(event.object);
          break;
        case "BOOKMARK":
          break;
      }
      this.#resourceVersion = event.object.metadata.resourceVersion ?? this.#resourceVersion;
    }
    return "ended";
  }

  /** Lists everything and reconciles the cache with it, emitting what changed since the last look. */
  async #relist(signal: AbortSignal): Promise<void> {
    const { items, resourceVersion } = await this.#listAll(signal);
    const fresh = new Map(items.map((obj) => [objectKey(obj), obj] as const));
    for (const [key, old] of this.#store.entries()) if (!fresh.has(key)) this.#removeKey(key, old);
    for (const obj of fresh.values()) this.#upsert(obj, true);
    this.#resourceVersion = resourceVersion;
    this.#nextResyncAt =
      this.#options.resyncMs === 0 ? Infinity : Date.now() + jittered(this.#options.resyncMs ?? 600_000, 0.1);
    if (!this.#synced) this.#markSynced();
  }

  async #listAll(signal: AbortSignal): Promise<{ items: T[]; resourceVersion: string }> {
    const path = await this.#client.pathFor(this.apiVersion, this.kind, this.#options.namespace);
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = "";
    do {
      const query = {
        limit: this.#options.pageSize ?? 500,
        continue: cont,
        labelSelector: this.#options.labelSelector,
        fieldSelector: this.#options.fieldSelector,
      };
      const page = await this.#client.request<KubeList<T>>("GET", path, { query, signal });
      // list items omit apiVersion/kind; the cache holds them complete, as watch events are
      for (const item of page.items) items.push({ ...item, apiVersion: this.apiVersion, kind: this.kind });
      resourceVersion = page.metadata.resourceVersion ?? resourceVersion;
      cont = page.metadata.continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  #markSynced(): void {
    this.#synced = true;
    for (const wake of this.#syncWaiters.splice(0)) wake();
  }

  /** Stores `obj`; with `onlyIfChanged` (a relist) an unchanged resourceVersion emits nothing. */
  #upsert(received: T, onlyIfChanged = false): void {
    const obj = withoutManagedFields(received);
    const key = objectKey(obj);
    const old = this.#store.get(key);
    if (onlyIfChanged && old?.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.#store.set(key, obj);
    if (old) this.#emit((h) => h.onUpdate?.(old, obj));
    else this.#emit((h) => h.onAdd?.(obj));
  }

  /** A watched deletion: handlers get the object's final state as the event carries it. */
  #remove(obj: T): void {
    this.#removeKey(objectKey(obj), obj);
  }

  #removeKey(key: string, last: T): void {
    this.#store.delete(key);
    this.#emit((h) => h.onDelete?.(last));
  }

  #emit(call: (h: InformerHandler<T>) => void): void {
    for (const handler of this.#handlers) {
      try {
        call(handler);
      } catch (err) {
        this.#log.error({ err, kind: this.kind }, "informer handler failed");
      }
    }
  }
}

function defined<R extends Record<string, string | undefined>>(record: R): { [K in keyof R]?: string } {
  const out: { [K in keyof R]?: string } = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k as keyof R] = v;
  return out;
}

/** Sleeps `ms`, returning early (without throwing) when `signal` aborts. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // aborted: the loop condition ends the run
  }
}

/**
 * Cached objects drop `metadata.managedFields`: no reconciler reads them (status is merge-patched,
 * objects are server-side applied), and they are often the largest part of an object.
 */
function withoutManagedFields<T extends KubeObject>(obj: T): T {
  if (!("managedFields" in obj.metadata)) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata as KubeObject["metadata"] & {
    managedFields?: unknown;
  };
  return { ...obj, metadata };
}

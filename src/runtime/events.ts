import { randomInt } from "node:crypto";
import { hostname } from "node:os";
import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import { splitApiVersion, type KubeObject } from "../kube/objects.ts";
import { kubeTime } from "./conditions.ts";
import { silentLogger, type Logger } from "./logger.ts";

export type EventType = "Normal" | "Warning";

/**
 * One occurrence to record. The message is stored in the cluster and shown to anyone who can read
 * events: it must never contain secrets (credentials, tokens, URLs with user info).
 */
export interface EventInput {
  type: EventType;
  reason: string;
  message: string;
  /** recorded as the `<group>/revision` annotation, as Flux does (e.g. `source.toolkit.fluxcd.io/revision`) */
  revision?: string;
  /** further metadata annotations, with full keys */
  annotations?: Record<string, string>;
  action?: string;
}

/** What in-process subscribers (the notification Alerts) receive for every occurrence. */
export interface RecordedEvent extends EventInput {
  involvedObject: InvolvedObject;
  reportingController: string;
  timestamp: string;
}

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface EventRecorderOptions {
  client: KubeClient;
  /** e.g. "gitrepository": the source component is `sluice-<controller>` */
  controller: string;
  logger?: Logger;
  /** repeats of one (object, type, reason, message) within this window bump `count` on one Event */
  aggregationWindowMs?: number;
  now?: () => Date;
}

interface Recent {
  name: string;
  namespace: string;
  count: number;
  lastSeen: number;
}

/** State shared by the recorders of one process (one per controller). */
interface Shared {
  listeners: Set<(e: RecordedEvent) => void>;
  recent: Map<string, Recent>;
  /** writes per aggregation key are serialized so repeats never race to create two Events */
  chains: Map<string, Promise<void>>;
}

const maxMessageLength = 1024;

/** Records Kubernetes core/v1 Events for one controller; never throws into the reconciler. */
export class EventRecorder {
  readonly #options: EventRecorderOptions;
  readonly #shared: Shared;
  readonly #log: Logger;
  readonly #instance = hostname();

  constructor(options: EventRecorderOptions, shared?: Shared) {
    this.#options = options;
    this.#log = options.logger ?? silentLogger();
    this.#shared = shared ?? { listeners: new Set(), recent: new Map(), chains: new Map() };
  }

  get component(): string {
    return `sluice-${this.#options.controller}`;
  }

  /** A recorder for another controller sharing this one's subscribers and aggregation. */
  forController(controller: string): EventRecorder {
    return new EventRecorder({ ...this.#options, controller }, this.#shared);
  }

  /** Subscribes to every event recorded in this process; returns the unsubscribe function. */
  onEvent(listener: (e: RecordedEvent) => void): () => void {
    this.#shared.listeners.add(listener);
    return () => this.#shared.listeners.delete(listener);
  }

  /** Records one occurrence: resolves once written (or dropped after logging); never rejects. */
  async event(obj: KubeObject, input: EventInput): Promise<void> {
    const now = (this.#options.now ?? (() => new Date()))();
    const recorded = this.#describe(obj, input, now);
    this.#notify(recorded);
    const key = aggregationKey(recorded);
    const previous = this.#shared.chains.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.#write(key, recorded, now));
    this.#shared.chains.set(key, next);
    await next;
    if (this.#shared.chains.get(key) === next) this.#shared.chains.delete(key);
  }

  #describe(obj: KubeObject, input: EventInput, now: Date): RecordedEvent {
    const annotations = { ...input.annotations };
    if (input.revision) annotations[`${eventGroup(obj.apiVersion)}/revision`] = input.revision;
    return {
      ...input,
      message: input.message.slice(0, maxMessageLength),
      annotations,
      involvedObject: involvedObject(obj),
      reportingController: this.component,
      timestamp: now.toISOString(),
    };
  }

  #notify(e: RecordedEvent): void {
    for (const listener of this.#shared.listeners) {
      try {
        listener(e);
      } catch (err) {
        this.#log.error({ err }, "event subscriber failed");
      }
    }
  }

  async #write(key: string, e: RecordedEvent, now: Date): Promise<void> {
    try {
      const recent = this.#shared.recent.get(key);
      const window = this.#options.aggregationWindowMs ?? 10 * 60_000;
      if (recent && now.getTime() - recent.lastSeen < window && (await this.#bump(recent, now))) return;
      const created = await this.#options.client.create(this.#manifest(e, now));
      const { name, namespace } = created.metadata;
      this.#shared.recent.set(key, { name: name!, namespace: namespace!, count: 1, lastSeen: now.getTime() });
      this.#forgetOld(now.getTime() - window);
    } catch (err) {
      this.#log.warn(
        { err, reason: e.reason, kind: e.involvedObject.kind, name: e.involvedObject.name },
        "dropped an event",
      );
    }
  }

  /** Counts a repeat on the existing Event; false when that Event is gone and a new one is needed. */
  async #bump(recent: Recent, now: Date): Promise<boolean> {
    const count = recent.count + 1;
    const ref = { apiVersion: "v1", kind: "Event", name: recent.name, namespace: recent.namespace };
    try {
      await this.#options.client.patch(ref, { count, lastTimestamp: kubeTime(now) });
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    recent.count = count;
    recent.lastSeen = now.getTime();
    return true;
  }

  #manifest(e: RecordedEvent, now: Date): KubeObject {
    const o = e.involvedObject;
    const time = kubeTime(now);
    return {
      apiVersion: "v1",
      kind: "Event",
      metadata: {
        name: eventName(o.name, now),
        namespace: o.namespace ?? "default",
        ...(Object.keys(e.annotations ?? {}).length ? { annotations: e.annotations! } : {}),
      },
      involvedObject: o,
      reason: e.reason,
      message: e.message,
      type: e.type,
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: this.#instance,
      ...(e.action ? { action: e.action } : {}),
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    };
  }

  #forgetOld(before: number): void {
    for (const [key, r] of this.#shared.recent) if (r.lastSeen < before) this.#shared.recent.delete(key);
  }
}

function involvedObject(obj: KubeObject): InvolvedObject {
  const m = obj.metadata;
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: m.name ?? "",
    ...(m.namespace ? { namespace: m.namespace } : {}),
    ...(m.uid ? { uid: m.uid } : {}),
    ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
  };
}

function aggregationKey(e: RecordedEvent): string {
  const o = e.involvedObject;
  return JSON.stringify([
    e.reportingController,
    o.kind,
    o.namespace,
    o.name,
    o.uid,
    e.type,
    e.reason,
    e.message,
  ]);
}

/** The annotation prefix for an object's events: its API group (core objects use "core"). */
function eventGroup(apiVersion: string): string {
  return splitApiVersion(apiVersion).group || "core";
}

/** `<object>.<hex nanoseconds>` like client-go's recorder, with random low digits against collisions. */
function eventName(objectName: string, now: Date): string {
  const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(randomInt(1_000_000));
  return `${objectName.slice(0, 230)}.${nanos.toString(16)}`;
}

import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "../kube/client.ts";
import { isConflict, isNotFound } from "../kube/errors.ts";
import type { KubeObject } from "../kube/objects.ts";
import { silentLogger, type Logger } from "./logger.ts";
import { deepEqual } from "./merge-patch.ts";
import type { RuntimeMetrics } from "./metrics.ts";
import { jittered } from "./queue.ts";

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

export interface LeaderElectionOptions {
  client: KubeClient;
  /** the Lease `namespace/name` all replicas compete for */
  namespace: string;
  name: string;
  /** unique per process (default: hostname plus a random id) */
  identity?: string;
  /** how long a lease holds without renewal before others may take it (default 15) */
  leaseDurationSeconds?: number;
  /** the leader gives up when it could not renew for this long (default 10 s; below the lease duration) */
  renewDeadlineMs?: number;
  /** how often to try to acquire or renew (default 2 s) */
  retryPeriodMs?: number;
  /** runs while leading; must return once `signal` aborts (leadership lost or shutdown) */
  onStartedLeading: (signal: AbortSignal) => Promise<void>;
  onStoppedLeading?: () => void;
  /** on a graceful stop, hand the lease back so a standby takes over at once (default true) */
  releaseOnCancel?: boolean;
  logger?: Logger;
  metrics?: RuntimeMetrics;
}

const leaseApi = { apiVersion: "coordination.k8s.io/v1", kind: "Lease" };

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/**
 * Lease-based leader election (coordination.k8s.io/v1), with client-go's semantics: expiry is
 * judged by the local clock from when this process last saw the lease change, so clock skew
 * between replicas does not matter.
 */
export class LeaderElector {
  readonly identity: string;
  readonly #options: LeaderElectionOptions;
  readonly #log: Logger;
  #observed: { spec: LeaseSpec | undefined; at: number } | undefined;
  #leading = false;
  #campaigning = false;

  constructor(options: LeaderElectionOptions) {
    this.#options = options;
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.#log = (options.logger ?? silentLogger()).child({ lease: this.leaseKey, identity: this.identity });
  }

  get leaseKey(): string {
    return `${this.#options.namespace}/${this.#options.name}`;
  }

  isLeader(): boolean {
    return this.#leading;
  }

  /** True while `run` campaigns or leads. */
  isRunning(): boolean {
    return this.#campaigning;
  }

  get #durationMs(): number {
    return (this.#options.leaseDurationSeconds ?? 15) * 1000;
  }

  get #retryMs(): number {
    return this.#options.retryPeriodMs ?? 2000;
  }

  /** Campaigns, and leads whenever elected, until `signal` aborts; then releases the lease. */
  async run(signal: AbortSignal): Promise<void> {
    this.#campaigning = true;
    try {
      while (!signal.aborted) {
        if (!(await this.#acquire(signal))) break;
        await this.#lead(signal);
      }
    } finally {
      this.#campaigning = false;
    }
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    let logged = false;
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew()) return true;
      if (!logged)
        this.#log.info(
          { holder: this.#observed?.spec?.holderIdentity },
          "standing by; another replica leads",
        );
      logged = true;
      await pause(jittered(this.#retryMs, 0.2), signal);
    }
    return false;
  }

  /** Leads until leadership is lost or `signal` aborts, renewing the lease until the work has stopped. */
  async #lead(signal: AbortSignal): Promise<void> {
    this.#setLeading(true);
    const leader = new AbortController();
    const stop = () => leader.abort();
    signal.addEventListener("abort", stop, { once: true });
    const workEnded = new AbortController();
    const work = this.#options
      .onStartedLeading(leader.signal)
      .catch((err: unknown) => this.#log.error({ err }, "leading work failed"))
      .finally(() => workEnded.abort());
    const lost = await this.#keepRenewing(leader, workEnded.signal);
    await work;
    signal.removeEventListener("abort", stop);
    if (!lost && (this.#options.releaseOnCancel ?? true)) await this.#release();
    this.#setLeading(false);
    this.#options.onStoppedLeading?.();
    // work that ended on its own (not lost, not shut down) is retried after a pause, never in a tight loop
    if (!signal.aborted && !lost) await pause(this.#retryMs, signal);
  }

  /**
   * Renews every retry period until the work has ended (shutdown keeps the lease held while
   * in-flight work finishes). Returns true when renewal failed past the deadline: leadership is lost,
   * `leader` is aborted and renewing stops.
   */
  async #keepRenewing(leader: AbortController, workEnded: AbortSignal): Promise<boolean> {
    let lastRenew = Date.now();
    while (!workEnded.aborted) {
      await pause(this.#retryMs, workEnded);
      if (workEnded.aborted) break;
      if (await this.#tryAcquireOrRenew()) lastRenew = Date.now();
      else if (Date.now() - lastRenew > (this.#options.renewDeadlineMs ?? 10_000)) {
        this.#log.warn("could not renew the lease in time; leadership lost");
        leader.abort();
        return true;
      }
    }
    return false;
  }

  #setLeading(leading: boolean): void {
    this.#leading = leading;
    this.#options.metrics?.leader.set({ lease: this.leaseKey }, leading ? 1 : 0);
    this.#log.info(leading ? "started leading" : "stopped leading");
  }

  async #path(): Promise<string> {
    return this.#options.client.pathFor(
      leaseApi.apiVersion,
      leaseApi.kind,
      this.#options.namespace,
      this.#options.name,
    );
  }

  async #read(): Promise<Lease | undefined> {
    try {
      return await this.#options.client.request<Lease>("GET", await this.#path(), {
        timeoutMs: this.#retryMs * 2,
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** One attempt: true when this process holds the lease afterwards. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    try {
      const lease = await this.#read();
      if (!lease) return await this.#create();
      this.#observe(lease.spec);
      const spec = lease.spec ?? {};
      const held = !!spec.holderIdentity && spec.holderIdentity !== this.identity;
      if (held && this.#observed!.at + (spec.leaseDurationSeconds ?? 0) * 1000 > Date.now()) return false;
      await this.#write(lease, this.#nextSpec(spec));
      return true;
    } catch (err) {
      if (!isConflict(err)) this.#log.warn({ err }, "lease attempt failed");
      return false;
    }
  }

  #observe(spec: LeaseSpec | undefined): void {
    if (!this.#observed || !deepEqual(this.#observed.spec, spec)) this.#observed = { spec, at: Date.now() };
  }

  #nextSpec(current: LeaseSpec): LeaseSpec {
    const now = microTime(new Date());
    const mine = current.holderIdentity === this.identity;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: this.#durationMs / 1000,
      acquireTime: mine && current.acquireTime ? current.acquireTime : now,
      renewTime: now,
      leaseTransitions: (current.leaseTransitions ?? 0) + (mine ? 0 : 1),
    };
  }

  async #create(): Promise<boolean> {
    const lease: Lease = {
      ...leaseApi,
      metadata: { name: this.#options.name, namespace: this.#options.namespace },
      spec: { ...this.#nextSpec({}), leaseTransitions: 0 },
    };
    await this.#options.client.create(lease);
    this.#observe(lease.spec);
    return true;
  }

  /** Replaces the lease, guarded by its resourceVersion: a concurrent writer makes this fail with 409. */
  async #write(lease: Lease, spec: LeaseSpec): Promise<void> {
    const body: Lease = { ...lease, ...leaseApi, spec };
    const written = await this.#options.client.request<Lease>("PUT", await this.#path(), {
      body,
      timeoutMs: this.#retryMs * 2,
    });
    this.#observe(written.spec);
  }

  /** Hands the lease back: no holder and a one-second duration, as client-go does. */
  async #release(): Promise<void> {
    try {
      const lease = await this.#read();
      if (lease?.spec?.holderIdentity !== this.identity) return;
      const now = microTime(new Date());
      const spec: LeaseSpec = { ...lease.spec, leaseDurationSeconds: 1, renewTime: now, acquireTime: now };
      delete spec.holderIdentity;
      await this.#write(lease, spec);
      this.#log.info("released the lease");
    } catch (err) {
      this.#log.warn({ err }, "could not release the lease; it expires on its own");
    }
  }
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    // aborted
  }
}

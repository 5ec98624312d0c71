import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/objects.ts";
import { Informer, type InformerOptions, type InformerSpec } from "./informer.ts";
import { silentLogger, type Logger } from "./logger.ts";
import type { RuntimeMetrics } from "./metrics.ts";

export interface InformerFactoryOptions {
  logger?: Logger;
  metrics?: RuntimeMetrics;
  /** defaults for every informer (resync period, page size, …) */
  defaults?: Omit<InformerOptions, keyof InformerSpec | "logger" | "metrics">;
}

/** One shared informer per (apiVersion, kind, namespace, selectors), run together. */
export class InformerFactory {
  readonly #client: KubeClient;
  readonly #options: InformerFactoryOptions;
  readonly #informers = new Map<string, Informer>();
  readonly #runs: Promise<void>[] = [];
  #runSignal: AbortSignal | undefined;

  constructor(client: KubeClient, options: InformerFactoryOptions = {}) {
    this.#client = client;
    this.#options = options;
  }

  /** The shared informer for `spec`, created on first use (and started if the factory runs). */
  informer<T extends KubeObject = KubeObject>(spec: InformerSpec): Informer<T> {
    const key = JSON.stringify([
      spec.apiVersion,
      spec.kind,
      spec.namespace ?? "",
      spec.labelSelector ?? "",
      spec.fieldSelector ?? "",
    ]);
    let informer = this.#informers.get(key);
    if (!informer) {
      informer = new Informer(this.#client, {
        ...this.#options.defaults,
        ...spec,
        logger: this.#options.logger ?? silentLogger(),
        ...(this.#options.metrics ? { metrics: this.#options.metrics } : {}),
      });
      this.#informers.set(key, informer);
      if (this.#runSignal) this.#start(informer, this.#runSignal);
    }
    return informer as unknown as Informer<T>;
  }

  all(): Informer[] {
    return [...this.#informers.values()];
  }

  hasSynced(): boolean {
    return this.all().every((i) => i.hasSynced());
  }

  /** Resolves true once every informer has synced, false if `signal` aborts first. */
  async waitForSync(signal: AbortSignal): Promise<boolean> {
    const results = await Promise.all(this.all().map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Runs every informer (also those created later) until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#runSignal) throw new Error("the informers are already running");
    this.#runSignal = signal;
    for (const informer of this.#informers.values()) this.#start(informer, signal);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    });
    while (this.#runs.length) await Promise.all(this.#runs.splice(0));
    this.#runSignal = undefined;
  }

  #start(informer: Informer, signal: AbortSignal): void {
    const log = this.#options.logger ?? silentLogger();
    this.#runs.push(
      informer
        .run(signal)
        .catch((err: unknown) => log.error({ err, kind: informer.kind }, "informer stopped")),
    );
  }
}

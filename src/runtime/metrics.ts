/** A tiny Prometheus registry (text exposition format 0.0.4): counters, gauges, fixed-bucket histograms. */

type Labels = Record<string, string>;

interface Metric {
  readonly name: string;
  render(): string[];
}

function labelKey(names: readonly string[], labels: Labels): string {
  for (const name of Object.keys(labels))
    if (!names.includes(name)) throw new Error(`unknown label "${name}"`);
  return JSON.stringify(names.map((n) => labels[n] ?? ""));
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatLabels(names: readonly string[], key: string, extra: Labels = {}): string {
  const values = JSON.parse(key) as string[];
  const pairs = names.map((n, i) => [n, values[i] ?? ""] as const).concat(Object.entries(extra));
  return pairs.length ? `{${pairs.map(([n, v]) => `${n}="${escapeLabelValue(v)}"`).join(",")}}` : "";
}

function formatNumber(n: number): string {
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return Number.isNaN(n) ? "NaN" : String(n);
}

function header(name: string, help: string, type: string): string[] {
  return [`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${name} ${type}`];
}

abstract class Scalar implements Metric {
  readonly name: string;
  protected readonly help: string;
  protected readonly labelNames: readonly string[];
  protected readonly values = new Map<string, number>();
  protected abstract readonly type: string;

  constructor(name: string, help: string, labelNames: readonly string[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelKey(this.labelNames, labels)) ?? 0;
  }

  render(): string[] {
    const lines = header(this.name, this.help, this.type);
    for (const [key, v] of this.values)
      lines.push(`${this.name}${formatLabels(this.labelNames, key)} ${formatNumber(v)}`);
    return lines;
  }
}

export class Counter extends Scalar {
  protected readonly type = "counter";

  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`counter ${this.name} cannot decrease`);
    const key = labelKey(this.labelNames, labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
}

export class Gauge extends Scalar {
  protected readonly type = "gauge";

  set(labels: Labels, value: number): void {
    this.values.set(labelKey(this.labelNames, labels), value);
  }
}

/** A gauge without labels whose value is read when the registry renders. */
class ReadGauge implements Metric {
  readonly name: string;
  readonly #help: string;
  readonly #read: () => number;

  constructor(name: string, help: string, read: () => number) {
    this.name = name;
    this.#help = help;
    this.#read = read;
  }

  render(): string[] {
    return [...header(this.name, this.#help, "gauge"), `${this.name} ${formatNumber(this.#read())}`];
  }
}

interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  readonly name: string;
  readonly #help: string;
  readonly #labelNames: readonly string[];
  readonly #buckets: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    this.name = name;
    this.#help = help;
    this.#labelNames = labelNames;
    this.#buckets = [...buckets].sort((a, b) => a - b);
  }

  observe(labels: Labels, value: number): void {
    const key = labelKey(this.#labelNames, labels);
    let s = this.#series.get(key);
    if (!s) this.#series.set(key, (s = { counts: this.#buckets.map(() => 0), sum: 0, count: 0 }));
    this.#buckets.forEach((le, i) => {
      if (value <= le) s.counts[i]! += 1;
    });
    s.sum += value;
    s.count += 1;
  }

  /** Observations so far for these labels (for tests and diagnostics). */
  count(labels: Labels = {}): number {
    return this.#series.get(labelKey(this.#labelNames, labels))?.count ?? 0;
  }

  render(): string[] {
    const lines = header(this.name, this.#help, "histogram");
    for (const [key, s] of this.#series) {
      this.#buckets.forEach((le, i) => {
        lines.push(
          `${this.name}_bucket${formatLabels(this.#labelNames, key, { le: formatNumber(le) })} ${s.counts[i]}`,
        );
      });
      lines.push(`${this.name}_bucket${formatLabels(this.#labelNames, key, { le: "+Inf" })} ${s.count}`);
      lines.push(`${this.name}_sum${formatLabels(this.#labelNames, key)} ${formatNumber(s.sum)}`);
      lines.push(`${this.name}_count${formatLabels(this.#labelNames, key)} ${s.count}`);
    }
    return lines;
  }
}

export class Registry {
  readonly #metrics = new Map<string, Metric>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#register(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#register(new Gauge(name, help, labelNames));
  }

  /** A gauge whose value `read` gives each time the registry renders. */
  readGauge(name: string, help: string, read: () => number): void {
    this.#register(new ReadGauge(name, help, read));
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram {
    return this.#register(new Histogram(name, help, labelNames, buckets));
  }

  /** The whole registry in the Prometheus text format. */
  render(): string {
    return [...this.#metrics.values()].flatMap((m) => m.render()).join("\n") + "\n";
  }

  #register<M extends Metric>(metric: M): M {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric.name))
      throw new Error(`invalid metric name "${metric.name}"`);
    if (this.#metrics.has(metric.name)) throw new Error(`metric ${metric.name} is already registered`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}

export const prometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

const reconcileBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** The metrics every part of the runtime reports into, on one registry. */
export class RuntimeMetrics {
  readonly registry: Registry;
  readonly reconcileDuration: Histogram;
  readonly reconcileTotal: Counter;
  readonly workqueueDepth: Gauge;
  readonly watchRestarts: Counter;
  readonly leader: Gauge;

  constructor(registry = new Registry()) {
    this.registry = registry;
    this.reconcileDuration = registry.histogram(
      "sluice_reconcile_duration_seconds",
      "Time one reconcile took, per kind.",
      ["kind"],
      reconcileBuckets,
    );
    this.reconcileTotal = registry.counter(
      "sluice_reconcile_total",
      "Reconciles per kind and result (success, error).",
      ["kind", "result"],
    );
    this.workqueueDepth = registry.gauge(
      "sluice_workqueue_depth",
      "Keys waiting in a controller's work queue.",
      ["controller"],
    );
    this.watchRestarts = registry.counter(
      "sluice_watch_restarts_total",
      "Watches re-established, per kind.",
      ["kind"],
    );
    this.leader = registry.gauge("sluice_leader_election_leading", "1 while this process holds the lease.", [
      "lease",
    ]);
  }
}

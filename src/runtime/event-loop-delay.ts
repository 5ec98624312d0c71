import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Registry } from "./metrics.ts";
import { untilAborted, type Runnable } from "./runnable.ts";

export interface EventLoopDelayOptions {
  /** how often the event loop is sampled (default 10 ms) */
  resolutionMs?: number;
  /** the length of one window; the last minute is six of them (default 10 s) */
  windowMs?: number;
}

interface Window {
  p99: number;
  max: number;
}

type DelayHistogram = ReturnType<typeof monitorEventLoopDelay>;

const windowsPerMinute = 6;
const nanosecondsPerSecond = 1e9;

/**
 * How long the event loop was held, exported as `sluice_event_loop_delay_p99_seconds` and
 * `sluice_event_loop_delay_max_seconds` over the last minute. Every controller, the webhook
 * receivers and leader election share the loop, so a high value means all of them were waiting.
 *
 * Node's delay histograms cannot be merged, so the minute's p99 is the highest p99 of its six
 * 10-second windows: an upper bound, exact when one window holds the minute's worst delays.
 */
export class EventLoopDelayMonitor implements Runnable {
  readonly name = "event-loop-delay";
  readonly #resolutionMs: number;
  readonly #windowMs: number;
  #histogram: DelayHistogram | undefined;
  #windows: Window[] = [];

  constructor(registry: Registry, options: EventLoopDelayOptions = {}) {
    this.#resolutionMs = options.resolutionMs ?? 10;
    this.#windowMs = options.windowMs ?? 10_000;
    registry.readGauge(
      "sluice_event_loop_delay_p99_seconds",
      "99th percentile of the event loop's delay over the last minute (highest of six 10 s windows).",
      () => this.lastMinute().p99,
    );
    registry.readGauge(
      "sluice_event_loop_delay_max_seconds",
      "Longest event loop delay over the last minute.",
      () => this.lastMinute().max,
    );
  }

  /** The last minute's p99 and max delay in seconds, the current window included; 0 when not running. */
  lastMinute(): Window {
    const windows = this.#histogram ? [...this.#windows, windowOf(this.#histogram)] : this.#windows;
    return {
      p99: Math.max(0, ...windows.map((w) => w.p99)),
      max: Math.max(0, ...windows.map((w) => w.max)),
    };
  }

  start(signal: AbortSignal): Promise<{ done: Promise<void> }> {
    const histogram = monitorEventLoopDelay({ resolution: this.#resolutionMs });
    histogram.enable();
    this.#histogram = histogram;
    const rotate = setInterval(() => {
      this.#windows = [...this.#windows, windowOf(histogram)].slice(-(windowsPerMinute - 1));
      histogram.reset();
    }, this.#windowMs);
    rotate.unref();
    const done = untilAborted(signal).then(() => {
      clearInterval(rotate);
      histogram.disable();
      this.#histogram = undefined;
      this.#windows = [];
    });
    return Promise.resolve({ done });
  }
}

function windowOf(histogram: DelayHistogram): Window {
  // an empty histogram reports NaN percentiles and a huge minimum: nothing measured yet
  if (histogram.count === 0) return { p99: 0, max: 0 };
  return {
    p99: histogram.percentile(99) / nanosecondsPerSecond,
    max: histogram.max / nanosecondsPerSecond,
  };
}

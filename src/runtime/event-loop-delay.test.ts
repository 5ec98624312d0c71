import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { EventLoopDelayMonitor } from "./event-loop-delay.ts";
import { Registry } from "./metrics.ts";

function holdEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test("a held event loop shows in /metrics for a minute's worth of windows, then leaves it", async () => {
  const registry = new Registry();
  const monitor = new EventLoopDelayMonitor(registry, { resolutionMs: 5, windowMs: 200 });
  const stop = new AbortController();
  const { done } = await monitor.start(stop.signal);
  try {
    await sleep(20);
    holdEventLoop(150);
    await sleep(20);
    const held = monitor.lastMinute();
    assert.ok(held.max >= 0.14, `max ${held.max}`);
    assert.ok(held.p99 >= 0.14, `p99 ${held.p99}`);
    const rendered = registry.render();
    assert.match(rendered, /^# TYPE sluice_event_loop_delay_p99_seconds gauge$/m);
    const p99 = Number(/^sluice_event_loop_delay_p99_seconds (\S+)$/m.exec(rendered)?.[1]);
    assert.ok(p99 >= 0.14, rendered);
    await sleep(6 * 200 + 300); // six windows later the delay is no longer in the last "minute"
    assert.ok(monitor.lastMinute().max < 0.14, `max ${monitor.lastMinute().max}`);
  } finally {
    stop.abort();
    await done;
  }
  assert.deepEqual(monitor.lastMinute(), { p99: 0, max: 0 });
});

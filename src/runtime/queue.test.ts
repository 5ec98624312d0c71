import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Registry } from "./metrics.ts";
import { backoffDelayMs, jittered, WorkQueue } from "./queue.ts";

/** A gate a test opens to let a processing call finish. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

async function until(check: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

test("a key added while queued is processed once", async () => {
  const seen: string[] = [];
  const blocker = gate();
  const q = new WorkQueue({
    name: "t",
    concurrency: 1,
    process: async (key) => {
      if (key === "block") await blocker.wait;
      seen.push(key);
    },
  });
  q.add("block");
  q.add("a");
  q.add("a");
  q.add("b");
  q.add("a");
  assert.equal(q.length, 2, "a and b wait once each behind the blocker");
  blocker.open();
  await until(() => seen.length === 3, "three keys processed");
  await sleep(20);
  assert.deepEqual(seen, ["block", "a", "b"]);
  await q.shutDown();
});

test("a key added while being processed runs again afterwards, never concurrently with itself", async () => {
  let running = 0;
  let maxSelf = 0;
  let calls = 0;
  const first = gate();
  const q = new WorkQueue({
    name: "t",
    concurrency: 4,
    process: async () => {
      running++;
      maxSelf = Math.max(maxSelf, running);
      calls++;
      if (calls === 1) await first.wait;
      running--;
    },
  });
  q.add("k");
  await until(() => calls === 1, "first call");
  q.add("k");
  q.add("k");
  assert.equal(q.length, 0, "the re-added key waits for the running one, not in the queue");
  first.open();
  await until(() => calls === 2, "second call");
  await sleep(20);
  assert.equal(calls, 2, "two adds during processing make one more run");
  assert.equal(maxSelf, 1);
  await q.shutDown();
});

test("no more than `concurrency` keys are processed at once", async () => {
  let running = 0;
  let peak = 0;
  const q = new WorkQueue({
    name: "t",
    concurrency: 3,
    process: async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(15);
      running--;
    },
  });
  for (let i = 0; i < 12; i++) q.add(`k${i}`);
  await until(() => running === 0 && q.length === 0, "all processed");
  assert.equal(peak, 3);
  await q.shutDown();
});

test("backoff doubles from the base and stops at the cap", () => {
  const opts = { baseMs: 500, maxMs: 15 * 60_000 };
  assert.equal(backoffDelayMs(0, opts), 0);
  assert.equal(backoffDelayMs(1, opts), 500);
  assert.equal(backoffDelayMs(2, opts), 1000);
  assert.equal(backoffDelayMs(5, opts), 8000);
  assert.equal(backoffDelayMs(11, opts), 512_000);
  assert.equal(backoffDelayMs(12, opts), 900_000, "capped at 15 minutes");
  assert.equal(backoffDelayMs(1000, opts), 900_000, "no overflow for huge failure counts");
});

test("failures retry with growing delays and a success resets the backoff", async () => {
  const times: number[] = [];
  let failUntil = 4;
  const q = new WorkQueue({
    name: "t",
    concurrency: 1,
    backoff: { baseMs: 20, maxMs: 10_000 },
    process: async () => {
      await Promise.resolve();
      times.push(Date.now());
      if (times.length < failUntil) throw new Error("not yet");
    },
  });
  q.add("k");
  await until(() => times.length === 4, "three retries then success");
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  assert.ok(
    gaps[0]! >= 18 && gaps[1]! >= 38 && gaps[2]! >= 78,
    `delays grow 20, 40, 80 ms: ${gaps.join(", ")}`,
  );
  assert.equal(q.failureCount("k"), 0, "success forgets the failures");
  failUntil = 6;
  q.add("k");
  await until(() => times.length === 6, "failure after the reset");
  assert.ok(
    times[5]! - times[4]! < 60,
    `the first delay after a reset is the base again: ${times[5]! - times[4]!}`,
  );
  await q.shutDown();
});

test("addAfter delays a key and keeps the earliest of two delays", async () => {
  const seen: number[] = [];
  const start = Date.now();
  const q = new WorkQueue({
    name: "t",
    concurrency: 1,
    process: () => Promise.resolve(void seen.push(Date.now() - start)),
  });
  q.addAfter("k", 500);
  q.addAfter("k", 40);
  q.addAfter("k", 300);
  await until(() => seen.length === 1, "the delayed key");
  await sleep(600);
  assert.equal(seen.length, 1, "later delays for the same key were folded into the earliest");
  assert.ok(seen[0]! >= 35 && seen[0]! < 300, `processed after ~40 ms: ${seen[0]}`);
  await q.shutDown();
});

test("shutDown waits for in-flight keys and drops queued ones", async () => {
  const done: string[] = [];
  const release = gate();
  const q = new WorkQueue({
    name: "t",
    concurrency: 1,
    process: async (key) => {
      await release.wait;
      done.push(key);
    },
  });
  q.add("inflight");
  q.add("queued");
  q.addAfter("delayed", 10);
  await until(() => q.active === 1, "one in flight");
  let shutDown = false;
  const stopping = q.shutDown().then(() => (shutDown = true));
  await sleep(30);
  assert.equal(shutDown, false, "shutDown must wait for the in-flight key");
  release.open();
  await stopping;
  await sleep(30);
  assert.deepEqual(done, ["inflight"]);
  q.add("late");
  await sleep(10);
  assert.deepEqual(done, ["inflight"], "no work is taken after shutDown");
});

test("the depth gauge follows the queue", async () => {
  const registry = new Registry();
  const depth = registry.gauge("depth", "d", ["controller"]);
  const release = gate();
  const q = new WorkQueue({ name: "c1", concurrency: 1, depth, process: () => release.wait });
  q.add("a");
  q.add("b");
  q.add("c");
  assert.equal(depth.get({ controller: "c1" }), 2);
  release.open();
  await until(() => depth.get({ controller: "c1" }) === 0, "drained");
  await q.shutDown();
});

test("jittered spreads within the fraction", () => {
  assert.equal(
    jittered(1000, 0.1, () => 0),
    900,
  );
  assert.equal(
    jittered(1000, 0.1, () => 1),
    1100,
  );
  assert.equal(
    jittered(1000, 0.1, () => 0.5),
    1000,
  );
  for (let i = 0; i < 100; i++) {
    const v = jittered(60_000);
    assert.ok(v >= 57_000 && v <= 63_000, String(v));
  }
});

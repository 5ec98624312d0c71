import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { gitPipeline, setNewPipeline, withStore } from "../../store/sql/store.test-support.ts";
import type { BuildEvent } from "../../store/store.ts";
import { BuildEventLog } from "./event-log.ts";

const line = (n: number) => ({ type: "log", data: { origin: "plan", stream: "stdout", line: `line ${n}` } });

test("lines wait for the flush interval and go in one write; step boundaries are written at once; followers get ids", () =>
  withStore(async ({ store }) => {
    const pipeline = await setNewPipeline(store, "app", gitPipeline());
    const build = await store.createJobBuild({ jobId: (await store.getJob(pipeline.id, "unit"))!.id });
    let writes = 0;
    const counting = Object.assign(Object.create(store) as typeof store, {
      appendBuildEvents: (...args: Parameters<typeof store.appendBuildEvents>) => {
        writes += 1;
        return store.appendBuildEvents(...args);
      },
    });
    const log = new BuildEventLog(counting, build.id, { flushMs: 40 });
    const followed: BuildEvent[] = [];
    log.follow((events) => followed.push(...events));

    for (let n = 1; n <= 5; n += 1) log.append(line(n));
    assert.equal(writes, 0);
    await sleep(120);
    assert.equal(writes, 1);
    assert.deepEqual(
      followed.map((e) => e.id),
      [1, 2, 3, 4, 5],
    );

    log.append(line(6));
    log.append({ type: "step-finished", data: {} });
    assert.equal(writes, 1, "the write is queued, not yet made");
    await log.flush();
    assert.equal(writes, 2);
    await log.close();
    const stored = await store.readBuildEvents(build.id);
    assert.deepEqual(
      stored.map((e) => [e.id, e.type]),
      [...[1, 2, 3, 4, 5, 6].map((id) => [id, "log"]), [7, "step-finished"]],
    );
    assert.deepEqual(followed, stored);
  }));

test("a write that fails is reported by close, and no later batch is written out of order", () =>
  withStore(async ({ store }) => {
    let calls = 0;
    const failing = Object.assign(Object.create(store) as typeof store, {
      appendBuildEvents: () => {
        calls += 1;
        return Promise.reject(new Error("disk full"));
      },
    });
    const log = new BuildEventLog(failing, 1, { flushMs: 10 });
    log.append({ type: "step-started", data: {} });
    log.append(line(1));
    await assert.rejects(log.close(), /disk full/);
    assert.equal(calls, 1);
  }));

import assert from "node:assert/strict";
import { test } from "node:test";
import type { SqlCiStore } from "./sql-store.ts";
import { gitPipeline, setNewPipeline, withStore } from "./store.test-support.ts";

const day = 24 * 60 * 60 * 1000;
const lines = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    type: "log",
    data: { origin: { id: "task" }, payload: `line ${i}\n` },
  }));

async function finishedBuilds(store: SqlCiStore, jobName: string, statuses: string[], endedAt = 0) {
  const pipeline =
    (await store.getPipeline({ team: "main", name: "app" })) ??
    (await setNewPipeline(store, "app", gitPipeline()));
  const job = (await store.getJob(pipeline.id, jobName))!;
  const ids: number[] = [];
  for (const status of statuses) {
    const build = await store.createJobBuild({ jobId: job.id });
    await store.appendBuildEvents(build.id, lines(20), endedAt);
    await store.finishBuild(build.id, status as "succeeded", endedAt);
    ids.push(build.id);
  }
  return ids;
}

test("events are appended and read from an event id, while running and once finished", () =>
  withStore(async ({ store }) => {
    const pipeline = await setNewPipeline(store, "app", gitPipeline());
    const build = await store.createJobBuild({ jobId: (await store.getJob(pipeline.id, "unit"))!.id });
    const written = await store.appendBuildEvents(build.id, lines(3), 5);
    assert.deepEqual(
      written.map((e) => e.id),
      [1, 2, 3],
    );
    assert.deepEqual(
      (await store.readBuildEvents(build.id, { afterId: 2 })).map((e) => e.data),
      [lines(3)[2]!.data],
    );
    await store.appendBuildEvents(build.id, [{ type: "status", data: { status: "succeeded" } }], 6);
    await store.finishBuild(build.id, "succeeded", 6);
    const all = await store.readBuildEvents(build.id, { afterId: 3 });
    assert.deepEqual(
      all.map((e) => [e.id, e.type, e.time]),
      [[4, "status", 6]],
    );
    assert.equal((await store.getBuild(build.id))?.hasLog, true);
  }));

test("build_log_retention removes the logs of the builds beyond it; other jobs keep theirs", () =>
  withStore(async ({ store }) => {
    const deploy = await finishedBuilds(store, "deploy", ["succeeded", "failed", "failed", "failed"]);
    const unit = await finishedBuilds(store, "unit", ["succeeded", "succeeded", "succeeded"]);
    const reaped = await store.reapBuildLogs({ now: 0 });
    assert.deepEqual(reaped, deploy.slice(0, 2));
    assert.deepEqual(await store.readBuildEvents(deploy[0]!), []);
    assert.equal((await store.getBuild(deploy[0]!))?.hasLog, false);
    assert.equal(
      (await store.getBuild(deploy[0]!))?.status,
      "succeeded",
      "the build stays, only its log goes",
    );
    assert.equal((await store.readBuildEvents(deploy[3]!)).length, 20);
    assert.equal((await store.readBuildEvents(unit[0]!)).length, 20);
    assert.deepEqual(await store.reapBuildLogs({ now: 0 }), []);
  }));

test("a default retention by days applies to jobs without their own", () =>
  withStore(async ({ store }) => {
    const old = await finishedBuilds(store, "unit", ["succeeded", "failed"], 0);
    const recent = await finishedBuilds(store, "unit", ["succeeded"], 10 * day);
    const reaped = await store.reapBuildLogs({ now: 11 * day, defaultRetention: { days: 5 } });
    assert.deepEqual(reaped, old);
    assert.equal((await store.readBuildEvents(recent[0]!)).length, 20);
  }));

test("the disk bound removes the oldest finished logs first and never a running build's", () =>
  withStore(async ({ store }) => {
    const ids = await finishedBuilds(store, "unit", ["succeeded", "succeeded", "succeeded", "succeeded"]);
    const pipeline = (await store.getPipeline({ team: "main", name: "app" }))!;
    const running = await store.createJobBuild({ jobId: (await store.getJob(pipeline.id, "unit"))!.id });
    await store.appendBuildEvents(running.id, lines(100), 0);
    const sizes = await Promise.all(ids.map(async (id) => (await store.readBuildEvents(id)).length));
    assert.deepEqual(sizes, [20, 20, 20, 20]);
    const reaped = await store.reapBuildLogs({ now: 0, maxLogBytes: 1 });
    assert.deepEqual(reaped, ids);
    assert.equal((await store.readBuildEvents(running.id)).length, 100);
  }));

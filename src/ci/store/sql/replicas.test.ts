import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { ReplicaSignal, StoreChange } from "../store.ts";
import { testEnv } from "../../../../test/helpers/env.ts";
import { freePort } from "../../../dev/processes.ts";
import { toPositional } from "./postgres-database.ts";
import { SqlCiStore } from "./sql-store.ts";
import { gitPipeline, pipelineInput, setNewPipeline, withPostgres } from "./store.test-support.ts";

test("named parameters become positional ones, the same number for each use; casts stay", () => {
  assert.deepEqual(toPositional("SELECT :a, :b::text, ':a' WHERE x = :a AND y = :b_2"), {
    text: "SELECT $1, $2::text, ':a' WHERE x = $1 AND y = $3",
    names: ["a", "b", "b_2"],
  });
});

test("two replicas setting the same pipeline from the same version: one wins, the other is told", () =>
  withPostgres(async ({ store, replica }) => {
    const other = await replica();
    await setNewPipeline(store, "app", gitPipeline());
    const change = (uri: string) => pipelineInput("app", gitPipeline(uri), { expectedVersion: 1 });
    const results = await Promise.all([
      store.setPipeline(change("https://a")),
      other.setPipeline(change("https://b")),
    ]);
    assert.deepEqual(results.map((r) => r.ok).sort(), [false, true]);
    const lost = results.find((r) => !r.ok);
    assert.deepEqual(lost, { ok: false, reason: "ConcurrentChange", currentVersion: 2 });
    assert.equal((await other.getPipeline({ team: "main", name: "app" }))?.configVersion, 2);
  }));

test("two replicas creating the same pipeline at once: one creates it, the other is told", () =>
  withPostgres(async ({ store, replica }) => {
    const other = await replica();
    const input = pipelineInput("app", gitPipeline());
    const results = await Promise.all([store.setPipeline(input), other.setPipeline(input)]);
    assert.deepEqual(results.map((r) => r.ok).sort(), [false, true]);
  }));

test("a build's log written by one replica is read by another while it runs and once sealed", () =>
  withPostgres(async ({ store, replica }) => {
    const other = await replica();
    const pipeline = await setNewPipeline(store, "app", gitPipeline());
    const build = await store.createJobBuild({ jobId: (await store.getJob(pipeline.id, "unit"))!.id });
    const line = (n: number) => ({ type: "log", data: { payload: `line ${n}\n` } });
    await store.appendBuildEvents(build.id, [line(1), line(2)], 1);
    await store.appendBuildEvents(build.id, [line(3)], 2);
    assert.deepEqual(
      (await other.readBuildEvents(build.id, { afterId: 1 })).map((e) => [e.id, e.data]),
      [
        [2, line(2).data],
        [3, line(3).data],
      ],
    );
    await store.finishBuild(build.id, "succeeded", 3);
    assert.deepEqual(
      (await other.readBuildEvents(build.id, { afterId: 2, limit: 5 })).map((e) => e.id),
      [3],
    );
    await assert.rejects(other.appendBuildEvents(build.id, [line(4)], 4), /is sealed/);
  }));

test("a signal reaches every other replica, not its sender", () =>
  withPostgres(async ({ store, replica }) => {
    const other = await replica();
    const heard: ReplicaSignal[] = [];
    const ownHeard: ReplicaSignal[] = [];
    const stop = other.onReplicaSignal((s) => heard.push(s));
    store.onReplicaSignal((s) => ownHeard.push(s));
    // LISTEN starts in the background: send until the first one is heard
    for (let i = 0; i < 50 && heard.length === 0; i++) {
      await store.signalReplicas({ kind: "schedule", pipelineId: 7 });
      await sleep(100);
    }
    assert.deepEqual(heard[0], { kind: "schedule", pipelineId: 7 });
    await store.signalReplicas({ kind: "abort", buildId: 3 });
    for (let i = 0; i < 50 && !heard.some((s) => s.kind === "abort"); i++) await sleep(20);
    assert.deepEqual(heard.at(-1), { kind: "abort", buildId: 3 });
    assert.deepEqual(ownHeard, []);
    stop();
  }));

test("wrong credentials or an unreachable server: a clear error that never shows the password", async () => {
  const { postgresUrl } = await testEnv();
  const wrong = new URL(postgresUrl!);
  wrong.password = "not-the-password";
  await assert.rejects(SqlCiStore.openPostgres({ url: wrong.toString() }), (error: Error) => {
    assert.match(
      error.message,
      /^cannot connect to PostgreSQL at postgres:\/\/\*\*\*@127\.0\.0\.1:\d+\/postgres: .*password authentication failed/,
    );
    assert.doesNotMatch(error.message, /not-the-password/);
    return true;
  });
  const closed = new URL(postgresUrl!);
  closed.port = String(await freePort());
  await assert.rejects(
    SqlCiStore.openPostgres({ url: closed.toString() }),
    /cannot connect to PostgreSQL at .*ECONNREFUSED/,
  );
});

test("a secret shared by replicas: the first stored wins, later initial values are ignored", () =>
  withPostgres(async ({ store, replica }) => {
    const other = await replica();
    const first = await store.sharedSecret("token-key", () => Promise.resolve(Buffer.from("first")));
    const second = await other.sharedSecret("token-key", () => Promise.resolve(Buffer.from("second")));
    assert.deepEqual([first.toString(), second.toString()], ["first", "first"]);
  }));

test("a change on one replica is announced on the other (pages fetch again instead of polling)", () =>
  withPostgres(async ({ store, replica }) => {
    const other = await replica();
    const heard: StoreChange[] = [];
    const stop = other.onChange((change) => heard.push(change));
    const pipeline = await setNewPipeline(store, "app", gitPipeline());
    const job = (await store.getJob(pipeline.id, "unit"))!;
    // LISTEN starts in the background: change until the other replica hears one
    for (let i = 0; i < 50 && !heard.some((c) => c.pipelineId !== undefined); i++) {
      await store.createJobBuild({ jobId: job.id });
      await sleep(100);
    }
    assert.deepEqual(heard.at(-1), { pipelineId: pipeline.id }, "naming the pipeline");
    stop();
  }));

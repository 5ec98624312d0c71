import assert from "node:assert/strict";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { BuildLogFiles, BuildLogSealedError } from "./build-log.ts";

async function withLogs(fn: (logs: BuildLogFiles, dir: string) => Promise<void>) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-build-log-"));
  try {
    await fn(new BuildLogFiles(dir), dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const line = (n: number) => ({ type: "log", data: { origin: "task", payload: `line ${n}\n` } });

test("events get ids 1, 2, 3… and are read back from an id, before and after sealing", () =>
  withLogs(async (logs) => {
    const first = await logs.append(7, [line(1), line(2)], 1000);
    assert.deepEqual(
      first.map((e) => e.id),
      [1, 2],
    );
    await logs.append(7, [line(3)], 2000);
    assert.deepEqual(
      (await logs.read(7, { afterId: 1 })).map((e) => e.data),
      [line(2).data, line(3).data],
    );
    const size = await logs.seal(7);
    assert.ok(size > 0);
    assert.equal(await logs.size(7), size);
    assert.deepEqual(
      (await logs.read(7, { afterId: 2 })).map((e) => [e.id, e.time]),
      [[3, 2000]],
    );
    assert.deepEqual(
      (await logs.read(7, { limit: 2 })).map((e) => e.id),
      [1, 2],
    );
    await assert.rejects(logs.append(7, [line(4)], 3000), BuildLogSealedError);
  }));

test("concurrent appends to one build keep distinct, ordered ids", () =>
  withLogs(async (logs) => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => logs.append(1, [line(i)], i)));
    assert.deepEqual(
      (await logs.read(1)).map((e) => e.id),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  }));

test("after a crash, a half-written line is dropped and ids continue from the last whole event", () =>
  withLogs(async (logs, dir) => {
    await logs.append(1001, [line(1), line(2)], 0);
    await appendFile(path.join(dir, "1", "1001.ndjson"), '{"id":3,"ti');
    const restarted = new BuildLogFiles(dir);
    assert.equal((await restarted.read(1001)).length, 2);
    assert.deepEqual(
      (await restarted.append(1001, [line(3)], 0)).map((e) => e.id),
      [3],
    );
    assert.deepEqual(
      (await restarted.read(1001)).map((e) => e.id),
      [1, 2, 3],
    );
  }));

test("an unknown or removed build has no events", () =>
  withLogs(async (logs) => {
    assert.deepEqual(await logs.read(5), []);
    await logs.append(5, [line(1)], 0);
    await logs.seal(5);
    await logs.remove(5);
    assert.deepEqual(await logs.read(5), []);
    assert.equal(await logs.size(5), 0);
    assert.equal(await logs.seal(6), 0);
  }));

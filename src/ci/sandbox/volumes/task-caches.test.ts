import assert from "node:assert/strict";
import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { TaskCaches, type CacheOwner } from "./task-caches.ts";

const owner = (job: number, step: string): CacheOwner => ({
  team: "main",
  pipeline: { id: 1, name: "app", instanceVars: {} },
  job: { id: job, name: `job-${job}` },
  buildId: 7,
  step,
  path: "deps",
});

test("task caches beyond their bound go least recently used first, never one in use; dead owners' go at once", async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-caches-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const caches = new TaskCaches({ dir, maxBytes: 10_000 }); // each cache below takes 4 KiB on disk;
  const old = await caches.acquire(owner(1, "old"));
  const busy = await caches.acquire(owner(1, "busy"));
  const fresh = await caches.acquire(owner(1, "fresh"));
  const gone = await caches.acquire(owner(2, "gone"));
  for (const cache of [old, busy, fresh, gone]) {
    await writeFile(path.join(cache.dir, "blob"), Buffer.alloc(4096));
    cache.release();
  }
  const again = await caches.acquire(owner(1, "busy")); // in use while collecting, and the oldest
  const hourAgo = new Date(Date.now() - 3_600_000);
  await utimes(`${old.dir}.json`, hourAgo, hourAgo);
  await utimes(`${busy.dir}.json`, new Date(hourAgo.getTime() - 1000), new Date(hourAgo.getTime() - 1000));

  const removed = await caches.collect((o) => Promise.resolve(o.job?.id === 1));
  assert.deepEqual(removed.map((c) => c.owner.step).sort(), ["gone", "old"]);
  const left = await caches.list();
  assert.deepEqual(left.map((c) => c.owner.step).sort(), ["busy", "fresh"]);
  assert.equal(left.find((c) => c.owner.step === "busy")?.inUse, true);
  again.release();
});

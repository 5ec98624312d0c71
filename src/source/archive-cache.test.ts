import assert from "node:assert/strict";
import { test } from "node:test";
import { ArchiveCache } from "./archive-cache.ts";
import type { SourceArchive } from "./tree-archive.ts";

const archive = (size: number): SourceArchive => ({
  bytes: Buffer.alloc(size),
  digest: `sha256:${size}`,
  size,
  fileCount: 1,
  skipped: [],
});

test("builds once per key and evicts the least recently used beyond the byte bound", async () => {
  const cache = new ArchiveCache(100);
  let builds = 0;
  const build = (size: number) => () => {
    builds++;
    return Promise.resolve(archive(size));
  };
  await cache.getOrBuild("a", build(20));
  await cache.getOrBuild("a", build(20));
  assert.equal(builds, 1);
  await cache.getOrBuild("b", build(25));
  await cache.getOrBuild("a", build(20)); // a is now the most recent
  await cache.getOrBuild("c", build(25));
  await cache.getOrBuild("d", build(25)); // 95 bytes: all fit
  await cache.getOrBuild("e", build(25)); // evicts b, the least recent
  builds = 0;
  await cache.getOrBuild("a", build(20));
  assert.equal(builds, 0, "a survived");
  await cache.getOrBuild("b", build(25));
  assert.equal(builds, 1, "b was evicted");
});

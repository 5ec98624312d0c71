import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { MirrorCache } from "./mirror-cache.ts";
import { addAll, commit, init, lsRemote } from "./repository.ts";

let tmp: string;
let work: string;
const author = { name: "t", email: "t@example.com" };

async function commitFile(content: string): Promise<string> {
  await writeFile(path.join(work, "file.txt"), content);
  await addAll(work);
  return commit(work, { message: content, author });
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "sluice-mirror-"));
  work = path.join(tmp, "work");
  await init(work, { initialBranch: "main" });
});
after(() => rm(tmp, { recursive: true, force: true }));

test("a mirror fetches a revision once and again only when it changed", async () => {
  const cache = new MirrorCache(path.join(tmp, "mirrors"));
  const url = `file://${work}`;
  const first = await commitFile("one");
  assert.equal((await lsRemote(url)).get("refs/heads/main"), first);

  const a = await cache.ensureCommit(url, "refs/heads/main", first, { depth: 1 });
  assert.deepEqual([a.sha, a.fetched], [first, true]);
  const b = await cache.ensureCommit(url, "refs/heads/main", first, { depth: 1 });
  assert.equal(b.fetched, false, "an unchanged revision is not fetched");

  const second = await commitFile("two");
  const c = await cache.ensureCommit(url, "refs/heads/main", second, { depth: 1 });
  assert.deepEqual([c.sha, c.fetched, c.dir], [second, true, a.dir], "same mirror directory per URL");

  const byId = await cache.ensureCommit(url, first, first);
  assert.equal(byId.sha, first);
});

test("concurrent requests for one URL are serialised and all succeed", async () => {
  const cache = new MirrorCache(path.join(tmp, "mirrors2"));
  const url = `file://${work}`;
  const sha = await commitFile("three");
  const results = await Promise.all(
    Array.from({ length: 5 }, () => cache.ensureCommit(url, "refs/heads/main", sha, { depth: 1 })),
  );
  assert.equal(results.filter((r) => r.fetched).length, 1, "only the first one fetches");
});

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { gunzipSync } from "node:zlib";
import { TagStore } from "./tag-store.ts";

let root: string;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), "sluice-tags-"));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("TagStore files", () => {
  it("stores the sorted, de-duplicated list gzip-compressed and reads it back", async () => {
    const store = new TagStore(root);
    const result = await store.save("apps", "podinfo", ["v1.1.0", "latest", "v1.0.0", "latest"]);
    const file = path.join(root, "apps", "podinfo.tags.gz");
    const content = gunzipSync(await readFile(file));
    assert.equal(content.toString("utf8"), "latest\nv1.0.0\nv1.1.0\n");
    assert.deepEqual(result, {
      revision: createHash("sha256").update(content).digest("hex"),
      count: 3,
      changed: true,
      truncated: 0,
    });
    assert.deepEqual(await store.load("apps", "podinfo"), ["latest", "v1.0.0", "v1.1.0"]);
    assert.deepEqual(store.info("apps", "podinfo"), { revision: result.revision, count: 3 });
  });

  it("a rescan that finds the same tags, in any order, writes nothing, also after a restart", async () => {
    const store = new TagStore(root);
    const first = await store.save("apps", "same", ["b", "a", "c"]);
    const file = path.join(root, "apps", "same.tags.gz");
    const before = await stat(file);
    const again = await store.save("apps", "same", ["c", "b", "a"]);
    const restarted = await new TagStore(root).save("apps", "same", ["a", "b", "c"]);
    const after = await stat(file);
    assert.equal(again.changed, false);
    assert.equal(restarted.changed, false);
    assert.equal(again.revision, first.revision);
    assert.equal(restarted.revision, first.revision);
    assert.equal(after.ino, before.ino, "the file was not replaced");
    assert.equal(after.mtimeMs, before.mtimeMs);
    const changed = await store.save("apps", "same", ["a", "b", "c", "d"]);
    assert.equal(changed.changed, true);
    assert.notEqual(changed.revision, first.revision);
    assert.deepEqual(
      await readdir(path.join(root, "apps")).then((f) => f.filter((n) => n.endsWith(".tmp"))),
      [],
    );
  });

  it("keeps the highest tags in byte order beyond maxTags and says how many it dropped", async () => {
    const store = new TagStore(root, { maxTags: 3 });
    const result = await store.save("apps", "bounded", ["1", "5", "2", "4", "3"]);
    assert.equal(result.truncated, 2);
    assert.equal(result.count, 3);
    assert.deepEqual(await store.load("apps", "bounded"), ["3", "4", "5"]);
  });
});

describe("TagStore edge cases", () => {
  it("stores an empty list, and load/delete of an unknown repository are harmless", async () => {
    const store = new TagStore(root);
    assert.equal((await store.save("apps", "empty", [])).count, 0);
    assert.deepEqual(await store.load("apps", "empty"), []);
    assert.equal(await store.load("apps", "never-saved"), undefined);
    await store.delete("apps", "never-saved");
    await store.delete("apps", "empty");
    assert.equal(await store.load("apps", "empty"), undefined);
    assert.equal(store.info("apps", "empty"), undefined);
  });

  it("serialises concurrent saves of one repository; the last one wins", async () => {
    const store = new TagStore(root);
    const lists = Array.from({ length: 20 }, (_, i) => Array.from({ length: i + 1 }, (_, j) => `t${j}`));
    await Promise.all(lists.map((tags) => store.save("apps", "racy", tags)));
    assert.equal((await store.load("apps", "racy"))?.length, 20);
  });

  it("refuses names that could leave the root, and tags that would break the format", async () => {
    const store = new TagStore(root);
    await assert.rejects(store.save("..", "x", ["a"]), /invalid namespace/);
    await assert.rejects(store.save("apps", "../x", ["a"]), /invalid name/);
    await assert.rejects(store.save("apps", "x", ["a\nb"]), /cannot store tag/);
  });

  it("reports a corrupt file with the way out, without crashing", async () => {
    const store = new TagStore(root);
    await store.save("apps", "corrupt", ["a"]);
    await writeFile(path.join(root, "apps", "corrupt.tags.gz"), "not gzip");
    await assert.rejects(new TagStore(root).load("apps", "corrupt"), /unreadable; delete it/);
  });
});

describe("TagStore memory", () => {
  it("retains a few hundred bytes per repository, not its tags", async () => {
    setFlagsFromString("--expose-gc");
    const collect = runInNewContext("gc") as () => void;
    const heapAfterGc = async () => {
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        collect();
      }
      return process.memoryUsage().heapUsed;
    };
    const repositories = 500;
    const tagsOf = (i: number) => Array.from({ length: 1000 }, (_, j) => `r${i}-main-${j}-1700000000`);
    let store: TagStore | undefined = new TagStore(root);
    for (let i = 0; i < repositories; i++) await store.save("memory", `repo-${i}`, tagsOf(i));
    const withStore = await heapAfterGc();
    assert.equal(store.info("memory", "repo-0")?.count, 1000);
    store = undefined;
    const retainedPerRepository = (withStore - (await heapAfterGc())) / repositories;
    const tagBytes = tagsOf(0).join("").length;
    if (process.env["SLUICE_TEST_VERBOSE"]) console.log({ retainedPerRepository, tagBytes });
    // ~230 bytes on a quiet machine; a loaded one has measured 1.3 KB of GC noise. Keeping the
    // tags would cost their 21.9 KB, which this bound still catches by a factor of ten.
    assert.ok(
      retainedPerRepository < 2048,
      `the store retains ${Math.round(retainedPerRepository)} bytes per repository (its tags are ${tagBytes} bytes)`,
    );
  });
});

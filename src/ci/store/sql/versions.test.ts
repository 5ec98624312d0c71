import assert from "node:assert/strict";
import { test } from "node:test";
import { resourceConfigHash } from "../canonical-json.ts";
import { gitPipeline, setNewPipeline, withStore } from "./store.test-support.ts";

const v = (ref: string) => ({ ref });

test("versions are ordered by check order; a version checked again becomes the latest", () =>
  withStore(async ({ store }) => {
    const pipeline = await setNewPipeline(store, "app", gitPipeline());
    const repo = (await store.getResource(pipeline.id, "repo"))!;
    await store.saveVersions(repo.resourceConfigId, [{ version: v("a") }, { version: v("b") }]);
    await store.saveVersions(repo.resourceConfigId, [
      { version: v("c"), metadata: [{ name: "author", value: "ann" }] },
    ]);
    assert.deepEqual((await store.latestVersion(repo.id))?.version, v("c"));

    const again = await store.saveVersions(repo.resourceConfigId, [{ version: v("a") }]);
    const listed = await store.listVersions(repo.id, { limit: 10 });
    assert.deepEqual(
      listed.map((x) => x.version.ref),
      ["a", "c", "b"],
    );
    assert.equal(again[0]?.id, listed.find((x) => x.version.ref === "a")?.id, "same version, same row");
    assert.deepEqual(listed[1]?.metadata, [{ name: "author", value: "ann" }]);
    assert.deepEqual((await store.findVersion(repo.resourceConfigId, v("b")))?.version, v("b"));
    assert.equal(await store.findVersion(repo.resourceConfigId, v("zzz")), undefined);
    assert.deepEqual(await store.getVersion(again[0]!.id), again[0]);
    assert.equal(await store.getVersion(again[0]!.id + 1000), undefined);
  }));

test("saving the same version twice keeps one row and its metadata unless new metadata comes", () =>
  withStore(async ({ store }) => {
    const pipeline = await setNewPipeline(store, "app", gitPipeline());
    const repo = (await store.getResource(pipeline.id, "repo"))!;
    const meta = [{ name: "m", value: "1" }];
    await store.saveVersions(repo.resourceConfigId, [{ version: { ref: "a", x: "1" }, metadata: meta }]);
    await store.saveVersions(repo.resourceConfigId, [{ version: { x: "1", ref: "a" } }]);
    const listed = await store.listVersions(repo.id, { limit: 10 });
    assert.equal(listed.length, 1);
    assert.deepEqual(listed[0]?.metadata, meta);
  }));

test("a disabled version is skipped as latest for that resource only", () =>
  withStore(async ({ store }) => {
    const one = await setNewPipeline(store, "one", gitPipeline());
    const two = await setNewPipeline(store, "two", gitPipeline());
    const repoOne = (await store.getResource(one.id, "repo"))!;
    const repoTwo = (await store.getResource(two.id, "repo"))!;
    const [, b] = await store.saveVersions(repoOne.resourceConfigId, [
      { version: v("a") },
      { version: v("b") },
    ]);
    await store.setVersionEnabled(repoOne.id, b!.id, false);
    assert.deepEqual((await store.latestVersion(repoOne.id))?.version, v("a"));
    assert.deepEqual((await store.latestVersion(repoTwo.id))?.version, v("b"));
    assert.deepEqual(
      (await store.listVersions(repoOne.id, { limit: 5 })).map((x) => [x.version.ref, x.enabled]),
      [
        ["b", false],
        ["a", true],
      ],
    );
    await store.setVersionEnabled(repoOne.id, b!.id, true);
    await store.setVersionEnabled(repoOne.id, b!.id, true);
    assert.deepEqual((await store.latestVersion(repoOne.id))?.version, v("b"));
  }));

test("two pipelines with the same git source share versions; another branch does not", () =>
  withStore(async ({ store }) => {
    const one = await setNewPipeline(store, "one", gitPipeline());
    const two = await setNewPipeline(store, "two", gitPipeline());
    const other = await setNewPipeline(store, "other", gitPipeline("https://git.example/other.git"));
    const [repoOne, repoTwo, repoOther] = await Promise.all(
      [one, two, other].map(async (p) => (await store.getResource(p.id, "repo"))!),
    );
    assert.equal(repoOne!.resourceConfigId, repoTwo!.resourceConfigId);
    assert.notEqual(repoOne!.resourceConfigId, repoOther!.resourceConfigId);
    await store.saveVersions(repoOne!.resourceConfigId, [{ version: v("a") }]);
    assert.deepEqual((await store.latestVersion(repoTwo!.id))?.version, v("a"));
    assert.equal(await store.latestVersion(repoOther!.id), undefined);
  }));

test("a resource moved to an evaluated config sees that config's versions and loses a pin from the old one", () =>
  withStore(async ({ store }) => {
    const pipeline = await setNewPipeline(store, "app", gitPipeline());
    const repo = (await store.getResource(pipeline.id, "repo"))!;
    const [a] = await store.saveVersions(repo.resourceConfigId, [{ version: v("a") }]);
    await store.pinVersion(repo.id, a!.id, "hold at a");
    assert.deepEqual(
      await store.getResource(pipeline.id, "repo").then((r) => [r?.pinnedVersionId, r?.pinComment]),
      [a!.id, "hold at a"],
    );
    const same = await store.useResourceConfig(
      repo.id,
      "git",
      resourceConfigHash("git", { uri: "https://git.example/app.git", branch: "main" }),
    );
    assert.equal(same, repo.resourceConfigId, "the as-set source had no vars: same scope");
    assert.equal((await store.getResource(pipeline.id, "repo"))?.pinnedVersionId, a!.id);

    const evaluated = await store.useResourceConfig(
      repo.id,
      "git",
      resourceConfigHash("git", { uri: "resolved" }),
    );
    assert.notEqual(evaluated, repo.resourceConfigId);
    const moved = (await store.getResource(pipeline.id, "repo"))!;
    assert.equal(moved.pinnedVersionId, undefined);
    assert.equal(await store.latestVersion(repo.id), undefined);
    await store.unpinVersion(repo.id);
  }));

test("a check's outcome is recorded on the resource", () =>
  withStore(async ({ store }) => {
    const pipeline = await setNewPipeline(store, "app", gitPipeline());
    const repo = (await store.getResource(pipeline.id, "repo"))!;
    await store.recordCheck(repo.id, { startedAt: 10, endedAt: 20, error: "auth failed" });
    const checked = (await store.getResource(pipeline.id, "repo"))!;
    assert.deepEqual(
      [checked.lastCheckStartedAt, checked.lastCheckEndedAt, checked.checkError],
      [10, 20, "auth failed"],
    );
    await store.recordCheck(repo.id, { startedAt: 30, endedAt: 40, error: undefined });
    assert.equal((await store.getResource(pipeline.id, "repo"))?.checkError, undefined);
  }));

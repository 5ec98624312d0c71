import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { StoreChange } from "../store.ts";
import type { SqlCiStore } from "./sql-store.ts";
import { gitPipeline, setNewPipeline, withStore } from "./store.test-support.ts";

async function jobsAndRepo(store: SqlCiStore) {
  const pipeline = await setNewPipeline(store, "app", gitPipeline());
  const unit = (await store.getJob(pipeline.id, "unit"))!;
  const deploy = (await store.getJob(pipeline.id, "deploy"))!;
  const repo = (await store.getResource(pipeline.id, "repo"))!;
  const [a, b] = await store.saveVersions(repo.resourceConfigId, [
    { version: { ref: "a" } },
    { version: { ref: "b" } },
  ]);
  return { pipeline, unit, deploy, repo, a: a!, b: b! };
}

test("builds are numbered per job; reruns are N.1, N.2, also when rerunning a rerun", () =>
  withStore(async ({ store }) => {
    const { unit, deploy } = await jobsAndRepo(store);
    const first = await store.createJobBuild({ jobId: unit.id });
    const second = await store.createJobBuild({ jobId: unit.id, manuallyTriggered: true });
    const deployFirst = await store.createJobBuild({ jobId: deploy.id });
    assert.deepEqual([first.name, second.name, deployFirst.name], ["1", "2", "1"]);
    assert.equal(first.status, "pending");
    assert.equal(second.manuallyTriggered, true);
    const rerun = await store.createRerunBuild(first.id);
    const rerunOfRerun = await store.createRerunBuild(rerun.id);
    assert.deepEqual(
      [rerun.name, rerun.rerunOf, rerunOfRerun.name, rerunOfRerun.rerunOf],
      ["1.1", first.id, "1.2", first.id],
    );
    assert.equal((await store.createJobBuild({ jobId: unit.id })).name, "3");
    assert.equal((await store.getJobBuild(unit.id, "1.2"))?.id, rerunOfRerun.id);
    assert.deepEqual(
      (await store.listJobBuilds(unit.id, { limit: 3 })).map((b) => b.name),
      ["3", "1.2", "1.1"],
    );
    assert.deepEqual(
      (await store.listJobBuilds(unit.id, { limit: 10, beforeId: rerun.id })).map((b) => b.name),
      ["2", "1"],
    );
  }));

test("one-off builds are named after their id and cannot be rerun", () =>
  withStore(async ({ store }) => {
    const build = await store.createOneOffBuild({ team: "main" });
    assert.equal(build.name, String(build.id));
    assert.equal(build.jobId, undefined);
    await assert.rejects(store.createRerunBuild(build.id), /only job builds can be rerun/);
  }));

test("status moves pending → started → ended once", () =>
  withStore(async ({ store }) => {
    const { unit } = await jobsAndRepo(store);
    const build = await store.createJobBuild({ jobId: unit.id });
    await store.startBuild(build.id, 100);
    await store.finishBuild(build.id, "failed", 200);
    await store.finishBuild(build.id, "aborted", 300);
    const ended = (await store.getBuild(build.id))!;
    assert.deepEqual([ended.status, ended.startedAt, ended.endedAt], ["failed", 100, 200]);
  }));

test("inputs record first occurrences; builds using a version and the latest success are found", () =>
  withStore(async ({ store }) => {
    const { unit, repo, a, b } = await jobsAndRepo(store);
    const one = await store.createJobBuild({ jobId: unit.id });
    const inputs = await store.recordBuildInputs(one.id, [
      { name: "repo", resourceId: repo.id, versionId: a.id },
    ]);
    assert.deepEqual(inputs, [{ name: "repo", resourceId: repo.id, versionId: a.id, firstOccurrence: true }]);
    await store.recordBuildOutputs(one.id, [{ name: "repo", resourceId: repo.id, versionId: b.id }]);
    await store.finishBuild(one.id, "succeeded", 1);

    const two = await store.createJobBuild({ jobId: unit.id });
    const again = await store.recordBuildInputs(two.id, [
      { name: "repo", resourceId: repo.id, versionId: a.id },
    ]);
    assert.equal(again[0]?.firstOccurrence, false);
    await store.finishBuild(two.id, "failed", 2);
    const three = await store.createJobBuild({ jobId: unit.id });
    await store.recordBuildInputs(three.id, [{ name: "repo", resourceId: repo.id, versionId: b.id }]);

    assert.deepEqual(
      (await store.buildsUsingVersion(unit.id, a.id)).map((x) => x.name),
      ["2", "1"],
    );
    const latest = (await store.latestSuccessfulBuild(unit.id))!;
    assert.equal(latest.build.id, one.id);
    assert.deepEqual(
      latest.inputs.map((i) => i.versionId),
      [a.id],
    );
    assert.deepEqual(latest.outputs, [{ name: "repo", resourceId: repo.id, versionId: b.id }]);
    assert.equal(await store.buildVersions(9999), undefined);
  }));

test("after a crash, started builds become errored, their logs end, the job builds again; pending builds wait on", () =>
  withStore(async ({ store, reopen }) => {
    const { unit, deploy } = await jobsAndRepo(store);
    const done = await store.createJobBuild({ jobId: unit.id });
    await store.finishBuild(done.id, "succeeded", 1);
    const running = await store.createJobBuild({ jobId: unit.id });
    await store.startBuild(running.id, 2);
    await store.appendBuildEvents(running.id, [{ type: "log", data: { payload: "half" } }], 2);
    const pending = await store.createJobBuild({ jobId: deploy.id });

    const restarted = await reopen();
    assert.deepEqual(await restarted.markOrphanedBuildsErrored(10), [running.id]);
    assert.equal((await restarted.getBuild(pending.id))?.status, "pending");
    assert.deepEqual(await restarted.markOrphanedBuildsErrored(11), []);
    const errored = (await restarted.getBuild(running.id))!;
    assert.deepEqual([errored.status, errored.endedAt], ["errored", 10]);
    assert.equal((await restarted.getBuild(done.id))?.status, "succeeded");
    assert.deepEqual(
      (await restarted.readBuildEvents(running.id)).map((e) => e.type),
      ["log", "status"],
    );
    assert.equal((await restarted.createJobBuild({ jobId: unit.id })).name, "3");
  }));

test("after a crash between a build's end and the sealing of its log, the log is sealed", () =>
  withStore(async ({ store, dialect, dataDir, reopen, exec }) => {
    const { unit } = await jobsAndRepo(store);
    const build = await store.createJobBuild({ jobId: unit.id });
    await store.appendBuildEvents(build.id, [{ type: "log", data: { payload: "done" } }], 1);
    await exec(`UPDATE builds SET status = 'succeeded', ended_at = 2 WHERE id = ${build.id}`);

    const restarted = await reopen();
    assert.deepEqual(await restarted.markOrphanedBuildsErrored(10), []);
    if (dialect === "sqlite")
      assert.ok(existsSync(path.join(dataDir, "build-logs", "0", `${build.id}.ndjson.gz`)));
    await assert.rejects(
      restarted.appendBuildEvents(build.id, [{ type: "log", data: {} }], 11),
      /is sealed/,
      "the log is sealed",
    );
    assert.equal((await restarted.readBuildEvents(build.id)).length, 1);
    assert.equal((await restarted.getBuild(build.id))?.status, "succeeded");
  }));

test("build listings: across teams, pipelines and one-off builds, paged older (until) and newer (since)", () =>
  withStore(async ({ store }) => {
    const { pipeline, unit, deploy } = await jobsAndRepo(store);
    const ids: number[] = [];
    for (const jobId of [unit.id, deploy.id, unit.id]) ids.push((await store.createJobBuild({ jobId })).id);
    ids.push((await store.createOneOffBuild({ team: "other" })).id);
    const [u1, d1, u2, oneOff] = ids as [number, number, number, number];

    const all = await store.listBuilds({}, { limit: 10 });
    assert.deepEqual(
      all.builds.map((b) => [b.id, b.team, b.pipelineName, b.jobName, b.name]),
      [
        [oneOff, "other", undefined, undefined, String(oneOff)],
        [u2, "main", "app", "unit", "2"],
        [d1, "main", "app", "deploy", "1"],
        [u1, "main", "app", "unit", "1"],
      ],
    );
    assert.deepEqual([all.hasOlder, all.hasNewer], [false, false]);

    const pageIds = async (
      page: Promise<{ builds: { id: number }[]; hasOlder: boolean; hasNewer: boolean }>,
    ) => {
      const p = await page;
      return { ids: p.builds.map((b) => b.id), older: p.hasOlder, newer: p.hasNewer };
    };
    assert.deepEqual(await pageIds(store.listBuilds({ teams: ["main"] }, { limit: 2 })), {
      ids: [u2, d1],
      older: true,
      newer: false,
    });
    assert.deepEqual(await pageIds(store.listBuilds({ teams: ["main"] }, { limit: 2, beforeId: d1 })), {
      ids: [u1],
      older: false,
      newer: true,
    });
    assert.deepEqual(await pageIds(store.listBuilds({}, { limit: 2, afterId: u1 })), {
      ids: [u2, d1],
      older: true,
      newer: true,
    });
    assert.deepEqual(
      await pageIds(store.listBuilds({ pipelineId: pipeline.id, jobId: unit.id }, { limit: 5 })),
      {
        ids: [u2, u1],
        older: false,
        newer: false,
      },
    );
    assert.deepEqual((await store.listBuilds({ teams: [] }, { limit: 5 })).builds, []);
    assert.deepEqual(
      (await store.listJobBuilds(unit.id, { limit: 1, afterId: u1 })).map((b) => b.id),
      [u2],
    );
  }));

test("the newest running and the newest finished build of every job, for many pipelines at once", () =>
  withStore(async ({ store }) => {
    const { pipeline, unit, deploy } = await jobsAndRepo(store);
    const done = await store.createJobBuild({ jobId: unit.id });
    await store.finishBuild(done.id, "failed", 1);
    const later = await store.createJobBuild({ jobId: unit.id });
    await store.finishBuild(later.id, "succeeded", 2);
    const running = await store.createJobBuild({ jobId: unit.id, started: true });
    const latest = await store.latestJobBuilds([pipeline.id]);
    assert.deepEqual(
      [latest.get(unit.id)?.finished?.id, latest.get(unit.id)?.next?.id, latest.get(unit.id)?.next?.status],
      [later.id, running.id, "started"],
    );
    assert.equal(latest.get(deploy.id), undefined, "a job with no builds has none");
    assert.equal((await store.latestJobBuilds([])).size, 0);
  }));

test("pipeline and build changes are announced, naming their pipeline, to who follows them; checks and reads are not", () =>
  withStore(async ({ store }) => {
    const heard: StoreChange[] = [];
    const stop = store.onChange((change) => heard.push(change));
    const { unit, repo } = await jobsAndRepo(store);
    const afterSet = heard.length;
    assert.ok(afterSet >= 1, "setting the pipeline");
    assert.deepEqual(heard.at(-1), {}, "a set may change anything: no pipeline named");
    const build = await store.createJobBuild({ jobId: unit.id });
    await store.startBuild(build.id, 1);
    await store.finishBuild(build.id, "succeeded", 2);
    await store.setJobPaused(unit.id, true);
    assert.deepEqual(heard.slice(afterSet), Array(4).fill({ pipelineId: unit.pipelineId }));
    await store.recordCheck(repo.id, { startedAt: 1, endedAt: 2, error: undefined });
    await store.listJobBuilds(unit.id, { limit: 5 });
    assert.equal(heard.length, afterSet + 4);
    stop();
    await store.createJobBuild({ jobId: unit.id });
    assert.equal(heard.length, afterSet + 4, "no longer after stop");
  }));

test("a build is found by the image digest it pushed; a get's metadata stays with its version without moving it", () =>
  withStore(async ({ store }) => {
    const { unit, repo, a, b } = await jobsAndRepo(store);
    const build = await store.createJobBuild({ jobId: unit.id });
    const digest = `sha256:${"ab".repeat(32)}`;
    const [pushed] = await store.saveVersions(repo.resourceConfigId, [
      { version: { digest, tag: "latest" }, metadata: [{ name: "tags", value: "latest 1.1.0" }] },
    ]);
    await store.recordBuildOutputs(build.id, [{ name: "image", resourceId: repo.id, versionId: pushed!.id }]);
    assert.deepEqual(
      (await store.buildsProducingDigest(digest)).map((x) => x.id),
      [build.id],
    );
    assert.deepEqual(await store.buildsProducingDigest(`sha256:${"cd".repeat(32)}`), []);
    assert.deepEqual(await store.buildsProducingDigest("sha256:%"), [], "not a digest: no pattern match");

    await store.saveVersionMetadata(a.id, [{ name: "message", value: "first" }]);
    const kept = (await store.getVersion(a.id))!;
    assert.deepEqual(kept.metadata, [{ name: "message", value: "first" }]);
    assert.equal(kept.checkOrder, a.checkOrder, "the check order holds");
    assert.ok(kept.checkOrder < b.checkOrder);
  }));

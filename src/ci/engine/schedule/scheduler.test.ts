import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SqlCiStore } from "../../store/index.ts";
import { withStore } from "../../store/sql/store.test-support.ts";
import { engineFixture, until } from "../engine.test-support.ts";

/** The refs a build took as inputs, by input name. */
async function inputRefs(store: SqlCiStore, buildId: number): Promise<Record<string, string>> {
  const recorded = await store.buildVersions(buildId);
  const refs: Record<string, string> = {};
  for (const input of recorded?.inputs ?? []) {
    const versions = await store.listVersions(input.resourceId, { limit: 100 });
    refs[input.name] = versions.find((v) => v.id === input.versionId)?.version["ref"] ?? "?";
  }
  return refs;
}

const triggered = (jobSettings = "") => `
resources: [{ name: repo, type: git, source: { uri: https://git.example/app.git } }]
jobs:
  - name: unit${jobSettings}
    plan: [{ get: repo, trigger: true }]
`;

describe("the scheduler", () => {
  it("starts a build with a trigger input's new version", () =>
    withStore(async ({ store }) => {
      const { git, launcher, pipeline, cycle } = engineFixture(store);
      const p = await pipeline("app", triggered());
      git.emit("a");
      await cycle(p);
      assert.equal(launcher.runs.length, 1);
      const [run] = launcher.runs;
      assert.equal(run?.status, "started");
      assert.deepEqual(await inputRefs(store, run.id), { repo: "a" });
    }));

  it("creates no build for a version the job already used, and says why", () =>
    withStore(async ({ store }) => {
      const { engine, git, launcher, pipeline, cycle } = engineFixture(store);
      const p = await pipeline("app", triggered());
      git.emit("a");
      await cycle(p);
      await launcher.finish(launcher.runs[0]!.id);
      await cycle(p);
      assert.equal(launcher.runs.length, 1);
      const job = await store.getJob(p.id, "unit");
      assert.equal(
        engine.jobWaiting(job!.id)?.reason,
        "no trigger input has a version this job has not used",
      );
      git.emit("b");
      await cycle(p);
      assert.deepEqual(await inputRefs(store, launcher.runs[1]!.id), { repo: "b" });
    }));

  it("gives a manual build its inputs after checking them", () =>
    withStore(async ({ store }) => {
      const { engine, git, launcher, pipeline } = engineFixture(store);
      const p = await pipeline(
        "app",
        `
resources: [{ name: repo, type: git, source: { uri: https://git.example/app.git } }]
jobs: [{ name: deploy, plan: [{ get: repo }] }]
`,
      );
      const job = await store.getJob(p.id, "deploy");
      const build = await store.createJobBuild({ jobId: job!.id, manuallyTriggered: true });
      git.emit("a");
      await engine.scheduler.schedulePipeline(p.id);
      assert.equal(launcher.runs.length, 0, "the build waits for the check of its inputs");
      await until(() => git.checks.length === 1);
      await until(async () => (await store.getResource(p.id, "repo"))?.lastCheckEndedAt !== undefined);
      await engine.scheduler.schedulePipeline(p.id);
      assert.deepEqual(
        launcher.runs.map((r) => r.id),
        [build.id],
      );
      assert.deepEqual(await inputRefs(store, build.id), { repo: "a" });
    }));
});

describe("the scheduler's limits and constraints", () => {
  it("runs a rerun with the inputs of the build it reruns", () =>
    withStore(async ({ store }) => {
      const { git, launcher, pipeline, cycle } = engineFixture(store);
      const p = await pipeline("app", triggered());
      git.emit("a");
      await cycle(p);
      await launcher.finish(launcher.runs[0]!.id, "failed");
      git.emit("b");
      await cycle(p);
      const rerun = await store.createRerunBuild(launcher.runs[0]!.id);
      await cycle(p);
      assert.equal(launcher.runs[2]?.id, rerun.id);
      assert.equal(rerun.name, "1.1");
      assert.deepEqual(await inputRefs(store, rerun.id), { repo: "a" });
    }));

  it("holds a serial job's next build pending until the running one ends", () =>
    withStore(async ({ store }) => {
      const { engine, git, launcher, pipeline, cycle } = engineFixture(store);
      const p = await pipeline("app", triggered("\n    serial: true"));
      git.emit("a");
      await cycle(p);
      git.emit("b");
      await cycle(p);
      assert.equal(launcher.runs.length, 1);
      const job = await store.getJob(p.id, "unit");
      const [, pending] = await store.listJobBuilds(job!.id, { limit: 10 }).then((b) => b.reverse());
      assert.equal(pending?.status, "pending");
      assert.equal(engine.jobWaiting(job!.id)?.reason, "job unit is serial and #1 is running");
      await launcher.finish(launcher.runs[0]!.id);
      await engine.scheduler.schedulePipeline(p.id);
      assert.deepEqual(
        launcher.runs.map((r) => r.id),
        [launcher.runs[0]!.id, pending.id],
      );
      assert.deepEqual(await inputRefs(store, pending.id), { repo: "b" });
    }));

  it("runs up to max_in_flight builds at once", () =>
    withStore(async ({ store }) => {
      const { git, launcher, pipeline, cycle } = engineFixture(store);
      const p = await pipeline("app", triggered("\n    max_in_flight: 2"));
      for (const ref of ["a", "b", "c"]) {
        git.emit(ref);
        await cycle(p);
      }
      assert.equal(launcher.runs.length, 2);
      await launcher.finish(launcher.runs[1]!.id);
      await cycle(p);
      assert.equal(launcher.runs.length, 3);
      assert.deepEqual(await inputRefs(store, launcher.runs[2]!.id), { repo: "c" });
    }));

  it("takes for a passed input the version that passed the upstream job", () =>
    withStore(async ({ store }) => {
      const { engine, git, launcher, pipeline, cycle } = engineFixture(store);
      const p = await pipeline(
        "app",
        `
resources: [{ name: repo, type: git, source: { uri: https://git.example/app.git } }]
jobs:
  - { name: unit, plan: [{ get: repo, trigger: true }] }
  - { name: deploy, plan: [{ get: repo, trigger: true, passed: [unit] }] }
`,
      );
      git.emit("a");
      await cycle(p);
      assert.equal(launcher.runs.length, 1);
      const deploy = await store.getJob(p.id, "deploy");
      assert.deepEqual(engine.jobWaiting(deploy!.id)?.waiting, [
        { name: "repo", reason: "no version of resource repo has passed job unit" },
      ]);
      git.emit("b");
      await cycle(p);
      await launcher.finish(launcher.runs[0]!.id);
      await cycle(p);
      const deployRun = launcher.runs.find((r) => r.jobId === deploy!.id);
      assert.ok(deployRun);
      assert.deepEqual(await inputRefs(store, deployRun.id), { repo: "a" });
      assert.equal(engine.jobWaiting(deploy!.id), undefined);
    }));
});

describe("the scheduler's exceptions", () => {
  it("schedules nothing for a paused pipeline or a paused job", () =>
    withStore(async ({ store }) => {
      const { git, launcher, pipeline, cycle } = engineFixture(store);
      const p = await pipeline("app", triggered());
      git.emit("a");
      await store.setPipelinePaused(p.id, true);
      await cycle(p);
      assert.equal(git.checks.length, 0, "a paused pipeline's resources are not checked");
      assert.equal(launcher.runs.length, 0);
      await store.setPipelinePaused(p.id, false);
      const job = await store.getJob(p.id, "unit");
      await store.setJobPaused(job!.id, true);
      await cycle(p);
      assert.equal(git.checks.length, 1);
      assert.equal(launcher.runs.length, 0);
      await store.setJobPaused(job!.id, false);
      await cycle(p);
      assert.equal(launcher.runs.length, 1);
    }));

  it("errors a build whose launcher fails, and the job runs again on a new version", () =>
    withStore(async ({ store }) => {
      const { engine, git, launcher, pipeline, cycle } = engineFixture(store);
      const p = await pipeline("app", triggered());
      const run = launcher.run.bind(launcher);
      launcher.run = () => Promise.reject(new Error("no worker"));
      git.emit("a");
      await cycle(p);
      const job = await store.getJob(p.id, "unit");
      await until(async () => (await store.listJobBuilds(job!.id, { limit: 1 }))[0]?.status === "errored");
      await engine.scheduler.buildsEnded();
      launcher.run = run;
      git.emit("b");
      await cycle(p);
      assert.deepEqual(await inputRefs(store, launcher.runs[0]!.id), { repo: "b" });
    }));
});

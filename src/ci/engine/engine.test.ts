import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withStore } from "../store/sql/store.test-support.ts";
import { engineFixture, until } from "./engine.test-support.ts";

const pipelineYaml = `
resources: [{ name: repo, type: git, source: { uri: https://git.example/app.git } }]
jobs: [{ name: unit, plan: [{ get: repo, trigger: true }] }]
`;

describe("the CI engine", () => {
  it("errors the builds a stopped server left started, and the job runs again", () =>
    withStore(async ({ store }) => {
      const before = engineFixture(store);
      const p = await before.pipeline("app", pipelineYaml);
      before.git.emit("a");
      await before.cycle(p);
      const [orphan] = before.launcher.runs;
      assert.equal(orphan?.status, "started");

      const after = engineFixture(store);
      after.clock.now = before.clock.now;
      after.git.emit("a", "b");
      const stop = new AbortController();
      stop.abort();
      await (
        await after.engine.start(stop.signal)
      ).done;
      assert.equal((await store.getBuild(orphan.id))?.status, "errored");
      await after.cycle(p);
      assert.equal(after.launcher.runs.length, 1, "the job runs again");
      assert.notEqual(after.launcher.runs[0]?.id, orphan.id);
    }));

  it("runs its loops until stopped, then aborts its builds and waits for them", () =>
    withStore(async ({ store }) => {
      const { engine, git, launcher, pipeline } = engineFixture(store);
      await pipeline("app", pipelineYaml);
      git.emit("a");
      const stop = new AbortController();
      const { done } = await engine.start(stop.signal);
      await until(() => launcher.runs.length === 1);
      stop.abort();
      await done;
      assert.deepEqual(launcher.aborted, [launcher.runs[0]?.id]);
      assert.equal((await store.getBuild(launcher.runs[0]!.id))?.status, "aborted");
    }));

  it("schedules a pipeline at once when a check finds a new version", () =>
    withStore(async ({ store }) => {
      const { engine, git, launcher, pipeline } = engineFixture(store);
      const p = await pipeline("app", pipelineYaml);
      const stop = new AbortController();
      const { done } = await engine.start(stop.signal);
      try {
        await until(async () => (await store.getResource(p.id, "repo"))?.lastCheckEndedAt !== undefined);
        git.emit("a");
        await engine.checkResource(p.id, "repo");
        await until(() => launcher.runs.length === 1);
      } finally {
        stop.abort();
        await done;
      }
    }));
});

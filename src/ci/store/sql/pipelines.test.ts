import assert from "node:assert/strict";
import { test } from "node:test";
import type { Dialect } from "./database.ts";
import { gitPipeline, pipelineInput, setNewPipeline, withStore } from "./store.test-support.ts";

test("setting a pipeline saves its config, resources and jobs; the version counts the sets", () =>
  withStore(async ({ store }) => {
    const created = await store.setPipeline(pipelineInput("app", gitPipeline(), { pausedWhenCreated: true }));
    assert.ok(created.ok && created.created);
    assert.equal(created.pipeline.configVersion, 1);
    assert.equal(created.pipeline.paused, true);
    assert.deepEqual(
      (await store.listResources(created.pipeline.id)).map((r) => [r.name, r.type]),
      [["repo", "git"]],
    );
    const jobs = await store.listJobs(created.pipeline.id);
    assert.deepEqual(
      jobs.map((j) => [j.name, j.serial, j.serialGroups, j.logRetention, j.nextBuildNumber]),
      [
        ["unit", false, [], {}, 1],
        ["deploy", true, ["prod"], { builds: 2 }, 1],
      ],
    );

    const again = await store.setPipeline(pipelineInput("app", gitPipeline(), { expectedVersion: 1 }));
    assert.ok(again.ok && !again.created);
    assert.equal(again.pipeline.configVersion, 2);
    assert.equal(again.pipeline.paused, true, "re-setting keeps the paused flag");
  }));

test("a set based on an old version is refused and changes nothing", () =>
  withStore(async ({ store }) => {
    const first = await setNewPipeline(store, "app", gitPipeline());
    const concurrent = await store.setPipeline(
      pipelineInput("app", gitPipeline("https://other"), { expectedVersion: 0 }),
    );
    assert.deepEqual(concurrent, { ok: false, reason: "ConcurrentChange", currentVersion: 1 });
    const current = await store.getPipeline({ team: "main", name: "app" });
    assert.equal(current?.configYaml, first.configYaml);
  }));

test("a set failing half-way saves nothing of it", () =>
  withStore(async ({ store, dialect, exec }) => {
    await setNewPipeline(store, "app", gitPipeline());
    await exec(failingInsertOfJob("boom", dialect));
    const yaml = `${gitPipeline("https://changed")}  - name: boom\n    plan: [{ get: repo }]\n`;
    await assert.rejects(store.setPipeline(pipelineInput("app", yaml, { expectedVersion: 1 })), /disk full/);
    const pipeline = await store.getPipeline({ team: "main", name: "app" });
    assert.equal(pipeline?.configVersion, 1);
    assert.equal(pipeline?.configYaml, gitPipeline());
    const repo = await store.getResource(pipeline.id, "repo");
    assert.equal(repo?.resourceConfigId, 1, "the resource kept its config");
  }));

test("instance vars name distinct pipelines, whatever their key order", () =>
  withStore(async ({ store }) => {
    await store.setPipeline(
      pipelineInput("app", gitPipeline(), { instanceVars: { env: "prod", region: "eu" } }),
    );
    await store.setPipeline(pipelineInput("app", gitPipeline(), { instanceVars: { env: "dev" } }));
    const prod = await store.getPipeline({
      team: "main",
      name: "app",
      instanceVars: { region: "eu", env: "prod" },
    });
    assert.deepEqual(prod?.instanceVars, { env: "prod", region: "eu" });
    assert.equal((await store.listPipelines("main")).length, 2);
    assert.equal(await store.getPipeline({ team: "main", name: "app" }), undefined);
  }));

test("removed resources and jobs go inactive and come back with their history; old_name renames", () =>
  withStore(async ({ store }) => {
    const pipeline = await setNewPipeline(store, "app", gitPipeline());
    const unit = (await store.getJob(pipeline.id, "unit"))!;
    await store.createJobBuild({ jobId: unit.id });
    const without = "jobs:\n  - name: other\n    plan: [{ task: t, file: f }]\n";
    await store.setPipeline(pipelineInput("app", without, { expectedVersion: 1 }));
    assert.deepEqual(await store.listResources(pipeline.id), []);
    assert.deepEqual(
      (await store.listJobs(pipeline.id)).map((j) => j.name),
      ["other"],
    );
    await store.setPipeline(pipelineInput("app", gitPipeline(), { expectedVersion: 2 }));
    const back = (await store.getJob(pipeline.id, "unit"))!;
    assert.equal(back.id, unit.id);
    assert.equal(back.nextBuildNumber, 2);

    const renamed = gitPipeline()
      .replace("- name: unit\n", "- name: test\n    old_name: unit\n")
      .replace("[unit]", "[test]");
    await store.setPipeline(pipelineInput("app", renamed, { expectedVersion: 3 }));
    assert.equal((await store.getJob(pipeline.id, "test"))?.id, unit.id);
  }));

test("pause, archive and destroy", () =>
  withStore(async ({ store }) => {
    const pipeline = await setNewPipeline(store, "app", gitPipeline());
    await store.setPipelinePaused(pipeline.id, true);
    assert.equal((await store.getPipeline(pipeline))?.paused, true);
    await store.setPipelinePaused(pipeline.id, false);
    await store.archivePipeline(pipeline.id);
    const archived = await store.getPipeline(pipeline);
    assert.ok(archived?.archived && archived.paused);
    const unit = (await store.getJob(pipeline.id, "unit"))!;
    const build = await store.createJobBuild({ jobId: unit.id });
    await store.appendBuildEvents(build.id, [{ type: "log", data: "x" }], 0);
    await store.destroyPipeline(pipeline.id);
    assert.equal(await store.getPipeline(pipeline), undefined);
    assert.equal(await store.getBuild(build.id), undefined);
    assert.deepEqual(await store.readBuildEvents(build.id), []);
  }));

/** A trigger failing the insert of a job named `name` with "disk full", in the database's own words. */
function failingInsertOfJob(name: string, dialect: Dialect): string {
  if (dialect === "sqlite")
    return `CREATE TRIGGER fail_on_boom BEFORE INSERT ON jobs WHEN NEW.name = '${name}'
            BEGIN SELECT RAISE(ABORT, 'disk full'); END`;
  return `CREATE FUNCTION fail_on_boom() RETURNS trigger AS $$
            BEGIN IF NEW.name = '${name}' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
          CREATE TRIGGER fail_on_boom BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION fail_on_boom();`;
}

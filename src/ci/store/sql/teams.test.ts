import assert from "node:assert/strict";
import { test } from "node:test";
import { gitPipeline, pipelineInput, setNewPipeline, withStore } from "./store.test-support.ts";

test("set-team: members replaced (deduplicated, sorted), created once; rename refuses a taken name", () =>
  withStore(async ({ store }) => {
    const first = await store.setTeamMembers("dev", {
      owners: ["local:bob", "local:alice", "local:bob"],
      viewers: ["local:carol"],
    });
    assert.deepEqual(
      [first.created, first.team.name, first.team.members],
      [true, "dev", ["local:alice", "local:bob"]],
    );
    const second = await store.setTeamMembers("dev", { owners: ["system:serviceaccount:ci:bot"] });
    assert.deepEqual(
      [second.created, second.team.id, second.team.members],
      [false, first.team.id, ["system:serviceaccount:ci:bot"]],
    );
    await store.ensureTeam("main");
    assert.deepEqual(
      (await store.listTeams()).map((t) => [t.name, t.members]),
      [
        ["dev", ["system:serviceaccount:ci:bot"]],
        ["main", []],
      ],
    );
    assert.equal(await store.renameTeam("dev", "main"), "taken");
    assert.equal(await store.renameTeam("nope", "other"), "missing");
    assert.equal(await store.renameTeam("dev", "developers"), "renamed");
    assert.deepEqual(
      (await store.listTeams()).map((t) => t.name),
      ["developers", "main"],
    );
  }));

test("destroying a team removes its pipelines, builds and their logs, and nothing of other teams", () =>
  withStore(async ({ store }) => {
    const doomed = await store.setPipeline({
      ...pipelineInput("app", gitPipeline()),
      team: "doomed",
    });
    assert.ok(doomed.ok);
    const kept = await setNewPipeline(store, "app", gitPipeline());
    const build = await store.createJobBuild({ jobId: (await store.getJob(doomed.pipeline.id, "unit"))!.id });
    await store.appendBuildEvents(build.id, [{ type: "log", data: { payload: "x" } }], 1);
    await store.finishBuild(build.id, "succeeded", 2);

    assert.equal(await store.destroyTeam("doomed"), true);
    assert.equal(await store.getPipeline({ team: "doomed", name: "app" }), undefined);
    assert.equal(await store.getBuild(build.id), undefined);
    assert.deepEqual(await store.readBuildEvents(build.id), []);
    assert.equal((await store.getPipeline({ team: "main", name: "app" }))?.id, kept.id);
    assert.equal(await store.destroyTeam("doomed"), false);
  }));

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { logLine, type StepRunnerOf } from "../src/ci/build/index.ts";
import { BuildRunner } from "../src/ci/engine/builds/runner.ts";
import { saveResourceVersions } from "../src/ci/store/evaluated-config.ts";
import { kubernetesPipelineVars } from "../src/ci/engine/pipeline-vars.ts";
import { builtinResources } from "../src/ci/resources/builtin.ts";
import type { Config } from "../src/ci/pipeline/fields.ts";
import { parsePipeline } from "../src/ci/pipeline/index.ts";
import { semverResource } from "../src/ci/resources/semver/resource.ts";
import { pipelineInput } from "../src/ci/store/sql/store.test-support.ts";
import { SqlCiStore } from "../src/ci/store/sql/sql-store.ts";
import type { BuildEvent, BuildRecord, CiStore } from "../src/ci/store/store.ts";
import { interpolate } from "../src/ci/vars/interpolate.ts";
import type { KubeClient } from "../src/kube/client.ts";
import { testEnv } from "./helpers/env.ts";
import { pushRepo } from "./helpers/git.ts";
import { adminClient } from "./helpers/kube.ts";

const suffix = () => randomBytes(3).toString("hex");

/** A SqlCiStore that counts its appendBuildEvents calls. */
function countingAppends(store: CiStore): { store: CiStore; appends: () => number } {
  let appends = 0;
  const counting = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (property === "appendBuildEvents") {
        return (...args: Parameters<CiStore["appendBuildEvents"]>) => {
          appends += 1;
          return target.appendBuildEvents(...args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  return { store: counting, appends: () => appends };
}

/**
 * A task runner of our own StepRunner interface, standing in for the sandbox: `params.files`
 * become files of the output `files` (as written: set_pipeline interpolates them), `params.say`
 * (interpolated) a log line, `params.wait` waits for an abort.
 */
const fakeTask: StepRunnerOf<"task"> = async (step, ctx) => {
  const params = step.config.params ?? {};
  if (typeof params["say"] === "string") logLine(ctx, String(await interpolate(params["say"], ctx.vars)));
  if (typeof params["files"] === "object" && params["files"] !== null) {
    const dir = await ctx.build.artifacts.allocate("files");
    for (const [name, content] of Object.entries(params["files"])) {
      await writeFile(path.join(dir, name), String(content));
    }
    ctx.build.artifacts.register("files", dir);
  }
  if (params["wait"] === true) {
    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
    return "aborted";
  }
  return "succeeded";
};

interface Fixture {
  store: SqlCiStore;
  dataDir: string;
  team: string;
  client: KubeClient;
  runner: (store?: CiStore) => BuildRunner;
}

async function fixture(t: TestContext): Promise<Fixture> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "sluice-build-runner-"));
  const store = await SqlCiStore.openSqlite({ dataDir });
  t.after(async () => {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const client = await adminClient(t);
  const team = `runner-${suffix()}`;
  const namespace = `concourse-${team}`;
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  t.after(() => client.delete("v1", "Namespace", namespace).catch(() => {}));
  const runner = (runnerStore: CiStore = store) =>
    new BuildRunner({
      store: runnerStore,
      dataDir,
      resources: builtinResources(),
      vars: kubernetesPipelineVars(client),
      task: fakeTask,
      flushMs: 50,
    });
  return { store, dataDir, team, client, runner };
}

async function secret(f: Fixture, name: string, stringData: Record<string, string>) {
  await f.client.apply(
    { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: `concourse-${f.team}` }, stringData },
    { fieldManager: "test", force: true },
  );
}

async function setPipeline(f: Fixture, name: string, yaml: string) {
  const result = await f.store.setPipeline(pipelineInput(name, yaml, { team: f.team }));
  assert.ok(result.ok);
  return result.pipeline;
}

async function startedBuild(f: Fixture, pipelineId: number, job: string): Promise<BuildRecord> {
  const jobRecord = await f.store.getJob(pipelineId, job);
  const build = await f.store.createJobBuild({ jobId: jobRecord!.id });
  await f.store.startBuild(build.id, Date.now());
  return build;
}

const logText = (events: BuildEvent[]) =>
  events
    .filter((e) => e.type === "log" || e.type === "error")
    .map((e) => JSON.stringify(e.data))
    .join("\n");

const releasePipeline = (uri: string) => `
resources:
  - name: version
    type: semver
    source:
      driver: git
      uri: ${uri}
      branch: version
      file: version
      username: ((git.username))
      password: ((git.password))
      initial_version: ((seed))
jobs:
  - name: release
    plan:
      - get: version
      - put: version
        params: { bump: patch }
      - get: after-put
        resource: version
      - load_var: number
        file: version/number
        reveal: true
      - task: write-pipeline
        config: { platform: linux, run: { path: "true" } }
        params:
          say: "releasing ((.:number))"
          files: { child.yml: "jobs: [{name: hello, plan: [{load_var: greeting, file: ((greeting-file))}]}]" }
      - set_pipeline: child
        file: files/child.yml
        vars: { greeting-file: "x/greeting" }
  - name: set-version
    plan:
      - task: write-version
        config: { platform: linux, run: { path: "true" } }
        params: { files: { number: "9.0.0" } }
      - put: version
        params: { file: files/number }
        no_get: true
  - name: bad-inputs
    plan:
      - put: version
        inputs: [nothing]
        params: { bump: patch }
`;

/** The release pipeline against a new repository, its resource checked once as the checker would. */
async function releaseFixture(t: TestContext) {
  const env = await testEnv();
  const f = await fixture(t);
  await secret(f, "git", { username: env.gitUsername, password: env.gitPassword });
  await secret(f, "seed", { value: "7.3.0" });
  const { url } = await pushRepo(env, `runner-${suffix()}`, { "README.md": "app\n" });
  const pipeline = await setPipeline(f, "app", releasePipeline(url));
  const resource = (await f.store.getResource(pipeline.id, "version"))!;
  const config = parsePipeline(pipeline.configYaml);
  assert.ok(config.ok);
  const declared = config.pipeline.resources![0]!.source;
  const source = (await interpolate(declared, kubernetesPipelineVars(f.client)(pipeline))) as Config;
  const checked = await semverResource.check(source, undefined);
  const [input] = await saveResourceVersions(
    f.store,
    resource,
    source,
    checked.map((version) => ({ version })),
  );
  return { env, f, pipeline, resource, input: input! };
}

test("a job gets its input, puts a bump (an output and an implicit get), loads a var and sets a pipeline; secrets never reach the events", async (t) => {
  const { env, f, pipeline, resource, input } = await releaseFixture(t);
  const build = await startedBuild(f, pipeline.id, "release");
  // after-put too, so that the test tells "the put's version" from "the recorded input"
  await f.store.recordBuildInputs(
    build.id,
    ["version", "after-put"].map((name) => ({ name, resourceId: resource.id, versionId: input.id })),
  );

  const counted = countingAppends(f.store);
  assert.equal(await f.runner(counted.store).run(build), "succeeded");

  const events = await f.store.readBuildEvents(build.id);
  assert.deepEqual(
    events.map((e) => e.id),
    events.map((_, i) => i + 1),
  );
  assert.ok(counted.appends() < events.length, `${counted.appends()} writes for ${events.length} events`);
  assert.deepEqual(events.at(-1)?.data, { status: "succeeded" });
  const log = logText(events);
  assert.match(log, /pushed version \{\\"number\\":\\"7.3.1\\"\}/);
  assert.match(log, /releasing 7.3.1/);
  const fetched = events.filter((e) =>
    JSON.stringify(e.data).includes('fetched version {\\"number\\":\\"7.3.1\\"}'),
  );
  assert.deepEqual(
    fetched.map((e) => (e.data as { origin: string }).origin),
    ["plan/1", "plan/2"],
    "the implicit get, and a later get of the resource fetches the put's version, not the input",
  );
  assert.match(log, /pipeline .*\/child created/);
  assert.match(log, /\(\(redacted\)\)/);
  const all = JSON.stringify(events);
  for (const secretValue of [env.gitPassword, "7.3.0"])
    assert.ok(!all.includes(secretValue), "a secret in the events");

  const outputs = (await f.store.buildVersions(build.id))!.outputs;
  assert.equal(outputs.length, 1);
  const latest = await f.store.latestVersion(resource.id);
  assert.deepEqual(latest?.version, { number: "7.3.1" });
  assert.equal(outputs[0]?.versionId, latest?.id);

  const child = await f.store.getPipeline({ team: f.team, name: "child" });
  assert.equal(child?.paused, false);
  assert.match(child.configYaml, /file: x\/greeting/);
  assert.deepEqual(await readdir(path.join(f.dataDir, "builds")), [], "the build directory is removed");

  // again: the next bump, and the child pipeline unchanged
  const again = await startedBuild(f, pipeline.id, "release");
  await f.store.recordBuildInputs(again.id, [
    { name: "version", resourceId: resource.id, versionId: latest.id },
  ]);
  assert.equal(await f.runner().run(again), "succeeded");
  const secondLog = logText(await f.store.readBuildEvents(again.id));
  assert.match(secondLog, /pushed version \{\\"number\\":\\"7.3.2\\"\}/);
  assert.match(secondLog, /no changes to apply to pipeline .*\/child/);
  assert.equal(
    (await f.store.getPipeline({ team: f.team, name: "child" }))?.configVersion,
    child?.configVersion,
  );
});

const parentPipeline = (children: string[]) => `
jobs:
  - name: set-children
    plan:
      - task: write
        config: { platform: linux, run: { path: "true" } }
        params: { files: { child.yml: "jobs: [{name: hello, plan: [{task: t, file: x/t.yml}]}]" } }
${children.map((child) => `      - set_pipeline: ${child}\n        file: files/child.yml`).join("\n")}
`;

test("a pipeline its parent job no longer sets is archived when that job next succeeds; one still set is not", async (t) => {
  const f = await fixture(t);
  const parent = await setPipeline(f, "parent", parentPipeline(["kept", "dropped"]));
  assert.equal(await f.runner().run(await startedBuild(f, parent.id, "set-children")), "succeeded");
  const child = async (name: string) => f.store.getPipeline({ team: f.team, name });
  assert.deepEqual([(await child("kept"))?.archived, (await child("dropped"))?.archived], [false, false]);

  const current = (await f.store.getPipeline({ team: f.team, name: "parent" }))!;
  const updated = await f.store.setPipeline(
    pipelineInput("parent", parentPipeline(["kept"]), {
      team: f.team,
      expectedVersion: current.configVersion,
    }),
  );
  assert.ok(updated.ok);
  const second = await startedBuild(f, parent.id, "set-children");
  assert.equal(await f.runner().run(second), "succeeded");
  assert.equal((await child("kept"))?.archived, false);
  const dropped = await child("dropped");
  assert.deepEqual([dropped?.archived, dropped?.paused], [true, true]);
  assert.match(
    logText(await f.store.readBuildEvents(second.id)),
    /archived pipeline dropped: this job no longer sets it/,
  );
});

test("put: the detected inputs reach the resource, no_get fetches nothing, an unknown input errors", async (t) => {
  const { f, pipeline, resource } = await releaseFixture(t);
  // put's detected inputs (files, from params.file) reach the resource; no_get fetches nothing
  const setVersion = await startedBuild(f, pipeline.id, "set-version");
  assert.equal(await f.runner().run(setVersion), "succeeded");
  assert.deepEqual((await f.store.latestVersion(resource.id))?.version, { number: "9.0.0" });
  assert.doesNotMatch(logText(await f.store.readBuildEvents(setVersion.id)), /fetched version/);

  const badInputs = await startedBuild(f, pipeline.id, "bad-inputs");
  assert.equal(await f.runner().run(badInputs), "errored");
  assert.match(logText(await f.store.readBuildEvents(badInputs.id)), /unknown artifact source: nothing/);
  assert.deepEqual(
    (await f.store.latestVersion(resource.id))?.version,
    { number: "9.0.0" },
    "nothing pushed",
  );
});

test("a var no source has errors the step, naming the var and where it looked", async (t) => {
  const f = await fixture(t);
  const pipeline = await setPipeline(
    f,
    "broken",
    `
resources:
  - { name: tick, type: time, source: { interval: ((tick-interval)) } }
jobs:
  - name: tick
    plan: [{ get: tick }]
`,
  );
  const build = await startedBuild(f, pipeline.id, "tick");
  assert.equal(await f.runner().run(build), "errored");
  const log = logText(await f.store.readBuildEvents(build.id));
  assert.match(log, /\(\(tick-interval\)\)/);
  assert.match(log, new RegExp(`concourse-${f.team}`));
  assert.equal((await f.store.getBuild(build.id))?.status, "errored");
});

test("custom resource types, tasks without a worker, an invalid set_pipeline and a job gone from the config error with the reason", async (t) => {
  const f = await fixture(t);
  const yaml = `
resource_types:
  - { name: custom, type: registry-image, source: { repository: example/custom } }
resources:
  - { name: thing, type: custom }
jobs:
  - name: custom
    plan: [{ get: thing }]
  - name: bad-set
    plan:
      - task: write
        config: { platform: linux, run: { path: "true" } }
        params: { files: { bad.yml: "jobs: [{name: x, plan: [{get: nothing}]}]" } }
      - set_pipeline: bad
        file: files/bad.yml
  - name: tasks
    plan: [{ task: t, config: { platform: linux, run: { path: "true" } } }]
`;
  const pipeline = await setPipeline(f, "odd", yaml);
  const custom = await startedBuild(f, pipeline.id, "custom");
  assert.equal(await f.runner().run(custom), "errored");
  assert.match(
    logText(await f.store.readBuildEvents(custom.id)),
    /resource thing: resource type custom: this worker has no sandbox to run declared resource types/,
  );

  const badSet = await startedBuild(f, pipeline.id, "bad-set");
  assert.equal(await f.runner().run(badSet), "failed");
  assert.match(logText(await f.store.readBuildEvents(badSet.id)), /jobs\[0\]\.plan\[0\]\.get.*nothing/);
  assert.equal(await f.store.getPipeline({ team: f.team, name: "bad" }), undefined);

  const tasks = await startedBuild(f, pipeline.id, "tasks");
  const withoutTasks = new BuildRunner({
    store: f.store,
    dataDir: f.dataDir,
    resources: builtinResources(),
    vars: kubernetesPipelineVars(f.client),
  });
  assert.equal(await withoutTasks.run(tasks), "errored");
  assert.match(logText(await f.store.readBuildEvents(tasks.id)), /no worker can run tasks here/);

  const gone = await startedBuild(f, pipeline.id, "tasks");
  const current = (await f.store.getPipeline({ team: f.team, name: "odd" }))!;
  const without = yaml.replace(/ {2}- name: tasks\n.*\n/, "");
  const result = await f.store.setPipeline(
    pipelineInput("odd", without, { team: f.team, expectedVersion: current.configVersion }),
  );
  assert.ok(result.ok);
  assert.equal(await f.runner().run(gone), "errored");
  assert.match(logText(await f.store.readBuildEvents(gone.id)), /no longer/);
});

test("aborting a running build: aborted, its ensure hook runs, followers see the events live", async (t) => {
  const f = await fixture(t);
  const pipeline = await setPipeline(
    f,
    "slow",
    `
jobs:
  - name: slow
    plan:
      - task: wait
        config: { platform: linux, run: { path: "true" } }
        params: { wait: true }
        ensure:
          task: cleanup
          config: { platform: linux, run: { path: "true" } }
          params: { say: cleaned up }
`,
  );
  const build = await startedBuild(f, pipeline.id, "slow");
  const runner = f.runner();
  assert.equal(typeof runner.follow(build.id, () => assert.fail("not running yet")), "function");
  const followed: BuildEvent[] = [];
  const { promise: started, resolve } = Promise.withResolvers<void>();
  const run = runner.run(build);
  runner.follow(build.id, (events) => {
    followed.push(...events);
    if (events.some((e) => e.type === "step-started")) resolve();
  });
  await started;
  assert.equal(runner.abort(build.id), true);
  assert.equal(await run, "aborted");
  assert.equal((await f.store.getBuild(build.id))?.status, "aborted");
  assert.equal(runner.abort(build.id), false);
  const stored = await f.store.readBuildEvents(build.id);
  assert.match(logText(stored), /cleaned up/);
  assert.deepEqual(
    followed.map((e) => e.id),
    stored.map((e) => e.id),
  );
});

/**
 * The CI engine inside `sluice server`: a semver resource on the real git server, its
 * credentials from a real Secret in concourse-<team>, a job triggered by its versions, its
 * builds run by the server's build runner.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { until } from "../src/ci/engine/engine.test-support.ts";
import { parsePipeline } from "../src/ci/pipeline/index.ts";
import { semverResource } from "../src/ci/resources/semver/resource.ts";
import type { BuildRecord, CiStore, PipelineRecord } from "../src/ci/store/index.ts";
import type { KubeClient } from "../src/kube/client.ts";
import { testEnv } from "./helpers/env.ts";
import { pushRepo } from "./helpers/git.ts";
import { adminClient } from "./helpers/kube.ts";
import { startTestServer } from "./helpers/server.ts";

const suffix = () => randomBytes(3).toString("hex");

const versionPipeline = `
resources:
  - name: version
    type: semver
    source:
      driver: git
      uri: ((git.uri))
      branch: version
      file: version
      username: ((git.username))
      password: ((git.password))
jobs:
  - name: release
    plan: [{ get: version, trigger: true }]
`;

async function secret(
  t: TestContext,
  client: KubeClient,
  ns: string,
  name: string,
  data: Record<string, string>,
) {
  await client.apply(
    { apiVersion: "v1", kind: "Secret", metadata: { name, namespace: ns }, stringData: data },
    { fieldManager: "test", force: true },
  );
  t.after(() => client.delete("v1", "Secret", name, ns).catch(() => {}));
}

async function setPipeline(store: CiStore, team: string, name: string): Promise<PipelineRecord> {
  const parsed = parsePipeline(versionPipeline);
  assert.ok(parsed.ok);
  const result = await store.setPipeline({
    team,
    name,
    configYaml: versionPipeline,
    config: parsed.pipeline,
    expectedVersion: 0,
    pausedWhenCreated: false,
  });
  assert.ok(result.ok);
  return result.pipeline;
}

/** The `number` of the version input of a build. */
async function inputNumber(store: CiStore, buildId: number, resourceId: number): Promise<string | undefined> {
  const [input] = (await store.buildVersions(buildId))?.inputs ?? [];
  const versions = await store.listVersions(resourceId, { limit: 50 });
  return versions.find((v) => v.id === input?.versionId)?.version["number"];
}

/** The job's finished builds, oldest first. */
async function finishedBuilds(store: CiStore, jobId: number): Promise<BuildRecord[]> {
  const builds = await store.listJobBuilds(jobId, { limit: 10 });
  return builds.filter((b) => b.status !== "pending" && b.status !== "started").reverse();
}

test("a pushed version triggers a build; a wrong password shows on its resource only", async (t) => {
  const env = await testEnv();
  const client = await adminClient(t);
  const team = `loops-${suffix()}`;
  const ns = `concourse-${team}`;
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  t.after(() => client.delete("v1", "Namespace", ns).catch(() => {}));
  const { url } = await pushRepo(env, `loops-${suffix()}`, { version: "1.0.0\n" }, { branch: "version" });
  const credentials = { uri: url, username: env.gitUsername, password: env.gitPassword };
  await secret(t, client, ns, "git", credentials);
  await secret(t, client, ns, "broken.git", { ...credentials, password: "not-the-password" });

  const server = await startTestServer(t, client, { controllers: [], ci: { tick: 200 } });
  const { store, engine } = server.ci!;
  const good = await setPipeline(store, team, "demo");
  const broken = await setPipeline(store, team, "broken");
  const resource = (await store.getResource(good.id, "version"))!;
  const job = (await store.getJob(good.id, "release"))!;

  await until(async () => (await finishedBuilds(store, job.id)).length === 1, 20_000);
  const [first] = await finishedBuilds(store, job.id);
  assert.equal(first?.status, "succeeded");
  assert.equal(await inputNumber(store, first.id, resource.id), "1.0.0");

  const inputs = await mkdtemp(path.join(os.tmpdir(), "loops-inputs-"));
  t.after(() => rm(inputs, { recursive: true, force: true }));
  await semverResource.put(
    { driver: "git", ...credentials, branch: "version", file: "version" },
    { bump: "minor" },
    inputs,
  );
  const outcome = await engine.checkResource(good.id, "version");
  assert.equal(outcome.error, undefined);
  await until(async () => (await finishedBuilds(store, job.id)).length === 2, 10_000);
  const second = (await finishedBuilds(store, job.id))[1]!;
  assert.equal(second.status, "succeeded");
  assert.equal(await inputNumber(store, second.id, resource.id), "1.1.0");
  const fetched = (await store.readBuildEvents(second.id)).filter((e) => e.type === "log");
  assert.ok(
    fetched.some((e) => JSON.stringify(e.data).includes("1.1.0")),
    "the get logged the version it fetched",
  );

  const failed = await engine.checkResource(broken.id, "version");
  assert.match(failed.error ?? "", /authentication|password|credentials/i);
  assert.doesNotMatch(failed.error ?? "", /not-the-password/);
  assert.equal((await store.getResource(broken.id, "version"))?.checkError, failed.error);
  const brokenJob = await store.getJob(broken.id, "release");
  assert.deepEqual(await store.listJobBuilds(brokenJob!.id, { limit: 5 }), []);
  assert.equal(
    (await store.getResource(good.id, "version"))?.checkError,
    undefined,
    "the other pipeline carries on",
  );
});

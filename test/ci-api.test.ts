import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it, before, after, type TestContext } from "node:test";
import {
  ApiRequestError,
  Auth,
  CiClient,
  ciApiRouter,
  LocalUsers,
  serviceAccountReviewer,
  storedMemberships,
  TokenSigner,
} from "../src/ci/api/index.ts";
import type { CheckRequest, EngineControl, JobWaiting } from "../src/ci/engine/control.ts";
import { SqlCiStore, type BuildEvent, type CheckOutcome } from "../src/ci/store/index.ts";
import { HttpServer } from "../src/http/server.ts";
import { adminClient, serviceAccountToken, testNamespace } from "./helpers/kube.ts";

/** A small fake of our EngineControl: records what the API asked, lets the test append events. */
class FakeEngine implements EngineControl {
  scheduled: number[] = [];
  checks: { pipelineId: number; resource: string; request: CheckRequest | undefined }[] = [];
  running = new Set<number>();
  aborted: number[] = [];
  waiting = new Map<number, JobWaiting>();
  checkError: string | undefined;
  readonly #listeners = new Map<number, Set<(events: BuildEvent[]) => void>>();

  checkResource(pipelineId: number, resource: string, request?: CheckRequest): Promise<CheckOutcome> {
    this.checks.push({ pipelineId, resource, request });
    return Promise.resolve({ startedAt: 1000, endedAt: 2000, error: this.checkError });
  }
  schedule(pipelineId: number): void {
    this.scheduled.push(pipelineId);
  }
  abortBuild(buildId: number): boolean {
    this.aborted.push(buildId);
    return this.running.has(buildId);
  }
  followBuild(buildId: number, listener: (events: BuildEvent[]) => void): () => void {
    const set = this.#listeners.get(buildId) ?? new Set();
    set.add(listener);
    this.#listeners.set(buildId, set);
    return () => set.delete(listener);
  }
  jobWaiting(jobId: number): JobWaiting | undefined {
    return this.waiting.get(jobId);
  }
  publish(buildId: number, events: BuildEvent[]): void {
    for (const listener of this.#listeners.get(buildId) ?? []) listener(events);
  }
  followers(buildId: number): number {
    return this.#listeners.get(buildId)?.size ?? 0;
  }
}

const PIPELINE = `
resources:
- name: repo
  type: time
  source: {interval: 1h}
  webhook_token: s3cret-token
jobs:
- name: unit
  plan:
  - get: repo
    trigger: true
- name: deploy
  disable_manual_trigger: true
  plan:
  - get: repo
    passed: [unit]
`;

let dir: string;
let store: SqlCiStore;
let engine: FakeEngine;
let server: HttpServer;
let admin: CiClient;
const reviewer: { client?: Parameters<typeof serviceAccountReviewer>[0] } = {};

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "ci-api-"));
  store = await SqlCiStore.openSqlite({ dataDir: dir });
  engine = new FakeEngine();
  const auth = new Auth({
    signer: new TokenSigner(randomBytes(32)),
    users: new LocalUsers([{ name: "admin", password: "pa:ss" }]),
    reviewServiceAccount: (token) =>
      reviewer.client ? serviceAccountReviewer(reviewer.client)(token) : Promise.resolve(undefined),
    memberships: storedMemberships(store),
  });
  server = new HttpServer({
    name: "ci-api",
    router: ciApiRouter({ store, engine, auth }, { version: "0.1.0" }),
  });
  await server.listen();
  admin = await CiClient.login(server.url, "admin", "pa:ss");
});

after(async () => {
  await server.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof ApiRequestError) return error.status;
    throw error;
  }
}

/** A fresh pipeline in `main`, set through the API. */
async function newPipeline(yaml = PIPELINE): Promise<string> {
  const name = `p-${randomBytes(3).toString("hex")}`;
  await admin.setConfig("main", name, yaml, 0);
  return name;
}

describe("auth", () => {
  it("logs in with the password grant; a wrong password is 401", async () => {
    assert.deepEqual(await admin.user().then((u) => [u["user_name"], u["is_admin"], u["teams"]]), [
      "admin",
      true,
      { main: ["owner"] },
    ]);
    await assert.rejects(
      CiClient.login(server.url, "admin", "wrong"),
      (e: ApiRequestError) => e.status === 401,
    );
    await assert.rejects(
      CiClient.login(server.url, "nobody", "pa:ss"),
      (e: ApiRequestError) => e.status === 401,
    );
  });

  it("answers 401 without a token or with a forged one; info needs none", async () => {
    assert.equal((await new CiClient({ url: server.url }).info())["version"], "0.1.0");
    assert.equal(await status(new CiClient({ url: server.url }).listPipelines("main")), 401);
    const forged = `${admin.token!.split(".")[0]}.${"A".repeat(43)}`;
    assert.equal(await status(new CiClient({ url: server.url, token: forged }).listPipelines("main")), 401);
  });

  it("accepts a ServiceAccount token of concourse-TEAM for TEAM only (403 elsewhere)", async (t: TestContext) => {
    const kube = await adminClient(t);
    reviewer.client = kube;
    t.after(() => delete reviewer.client);
    const team = `t${randomBytes(3).toString("hex")}`;
    const ns = await testNamespace(t, kube, "concourse");
    // the namespace helper adds a random suffix: the team is what follows "concourse-"
    const teamOfNs = ns.slice("concourse-".length);
    const sa = new CiClient({ url: server.url, token: await serviceAccountToken(kube, ns, "ci") });
    assert.deepEqual(await sa.user().then((u) => [u["user_name"], u["teams"]]), [
      `system:serviceaccount:${ns}:ci`,
      { [teamOfNs]: ["owner"] },
    ]);
    assert.deepEqual(await sa.listPipelines(teamOfNs), []);
    const forbidden = await sa.listPipelines(team).catch((e: unknown) => e);
    assert.ok(forbidden instanceof ApiRequestError && forbidden.status === 403, String(forbidden));
    assert.match(forbidden.message, /is not a member of team/);
    assert.equal(await status(new CiClient({ url: server.url, token: "not-a-token" }).user()), 401);

    const own = await store.createOneOffBuild({ team: teamOfNs });
    const others = await store.createOneOffBuild({ team: "main" });
    assert.deepEqual(
      (await sa.listBuilds()).builds.map((b) => [b.id, b.team_name]),
      [[own.id, teamOfNs]],
      "every build it may see: its team's only",
    );
    assert.ok((await admin.listBuilds()).builds.some((b) => b.id === others.id));
    assert.equal(await status(sa.listBuilds({ team: "main" })), 403);

    const extra = `x${randomBytes(3).toString("hex")}`;
    assert.equal(await status(sa.setTeam(extra, [])), 403, "only admins set teams");
    assert.equal((await admin.setTeam(extra, [`system:serviceaccount:${ns}:ci`])).created, true);
    const teams = (await sa.user())["teams"] as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(teams).sort(),
      [extra, teamOfNs].sort(),
      "set-team adds the account to the team",
    );
    assert.deepEqual(await sa.listPipelines(extra), []);
    assert.equal(await status(admin.setTeam("bad", ["github:someone"])), 400);
  });
});

describe("pipelines", () => {
  it("a valid config is saved paused, versioned, and the engine asked to schedule", async () => {
    const answer = await admin.setConfig("main", "valid", PIPELINE, 0);
    assert.deepEqual([answer.created, answer.configVersion], [true, 1]);
    const pipeline = await admin.getPipeline("main", "valid");
    assert.equal(pipeline.paused, true);
    assert.ok(engine.scheduled.includes(pipeline.id));
    const config = await admin.getConfig("main", "valid");
    assert.equal(config.version, 1);
    assert.equal(config.configYaml, PIPELINE);
    assert.deepEqual(
      (await admin.listJobs("main", "valid")).map((j) => j.name),
      ["unit", "deploy"],
    );
  });

  it("an invalid config is 400 with the path-named error, and nothing is saved", async () => {
    const bad = PIPELINE.replace("passed: [unit]", "passed: [nope]");
    const error = await admin.setConfig("main", "invalid", bad, 0).catch((e: unknown) => e);
    assert.ok(error instanceof ApiRequestError && error.status === 400);
    assert.ok(
      (error.body["errors"] as string[]).some((e) => e.startsWith("jobs[1].plan[0]") && e.includes("nope")),
      JSON.stringify(error.body),
    );
    assert.equal(await status(admin.getPipeline("main", "invalid")), 404);
  });

  it("a set based on an old version is 409 and changes nothing", async () => {
    const name = await newPipeline();
    await admin.setConfig("main", name, PIPELINE.replace("1h", "2h"), 1);
    const stale = await admin
      .setConfig("main", name, PIPELINE.replace("1h", "3h"), 1)
      .catch((e: unknown) => e);
    assert.ok(stale instanceof ApiRequestError && stale.status === 409, String(stale));
    const config = await admin.getConfig("main", name);
    assert.equal(config.version, 2);
    assert.match(config.configYaml, /2h/);
  });

  it("pauses, unpauses, archives and destroys", async () => {
    const name = await newPipeline();
    await admin.unpausePipeline("main", name);
    assert.equal((await admin.getPipeline("main", name)).paused, false);
    await admin.pausePipeline("main", name);
    assert.equal((await admin.getPipeline("main", name)).paused, true);
    await admin.archivePipeline("main", name);
    assert.equal((await admin.getPipeline("main", name)).archived, true);
    await admin.destroyPipeline("main", name);
    assert.equal(await status(admin.getPipeline("main", name)), 404);
  });
});

describe("jobs and builds", () => {
  it("trigger creates a pending manual build; disable_manual_trigger is refused", async () => {
    const name = await newPipeline();
    const build = await admin.triggerJob("main", name, "unit");
    assert.deepEqual(
      [build.name, build.status, build.manually_triggered, build.job_name],
      ["1", "pending", true, "unit"],
    );
    const job = await admin.getJob("main", name, "unit");
    assert.equal(job.next_build?.id, build.id);
    const refused = await admin.triggerJob("main", name, "deploy").catch((e: unknown) => e);
    assert.ok(refused instanceof ApiRequestError && refused.status === 403);
    assert.match(refused.message, /disable_manual_trigger/);
  });

  it("shows the scheduler's waiting reason on the job", async () => {
    const name = await newPipeline();
    const job = await admin.getJob("main", name, "unit");
    engine.waiting.set(job.id, { reason: "no versions of repo", waiting: [], decidedAt: 5000 });
    assert.deepEqual((await admin.getJob("main", name, "unit")).waiting, {
      reason: "no versions of repo",
      inputs: [],
      decided_at: 5,
    });
  });

  it("pages a job's builds with until and Link, and reruns a build", async () => {
    const name = await newPipeline();
    for (let i = 0; i < 5; i++) await admin.triggerJob("main", name, "unit");
    const first = await admin.listJobBuilds("main", name, "unit", { limit: 2 });
    assert.deepEqual(
      first.builds.map((b) => b.name),
      ["5", "4"],
    );
    const second = await admin.listJobBuilds("main", name, "unit", { limit: 2, until: first.nextUntil! });
    assert.deepEqual(
      second.builds.map((b) => b.name),
      ["3", "2"],
    );
    const last = await admin.listJobBuilds("main", name, "unit", { limit: 2, until: second.nextUntil! });
    assert.deepEqual([last.builds.map((b) => b.name), last.nextUntil], [["1"], undefined]);
    const rerun = await admin.rerunBuild("main", name, "unit", "1");
    assert.equal(rerun.name, "1.1");
  });

  it("aborts a running build through the engine, a pending one in the store", async () => {
    const name = await newPipeline();
    const running = await admin.triggerJob("main", name, "unit");
    engine.running.add(running.id);
    await admin.abortBuild(running.id);
    assert.ok(engine.aborted.includes(running.id));
    assert.equal((await admin.getBuild(running.id)).status, "pending"); // the engine's job to finish it
    const pending = await admin.triggerJob("main", name, "unit");
    await admin.abortBuild(pending.id);
    assert.equal((await admin.getBuild(pending.id)).status, "aborted");
  });
});

describe("build listings", () => {
  it("lists a pipeline's, a team's and every build, paged older (until) and newer (since) with Link", async () => {
    const name = await newPipeline();
    const unit = await admin.triggerJob("main", name, "unit");
    const again = await admin.triggerJob("main", name, "unit");
    const other = await newPipeline();
    const elsewhere = await admin.triggerJob("main", other, "unit");
    const pipelineBuilds = await admin.listBuilds({ team: "main", pipeline: name });
    assert.deepEqual(
      pipelineBuilds.builds.map((b) => [b.id, b.pipeline_name, b.job_name, b.name]),
      [
        [again.id, name, "unit", "2"],
        [unit.id, name, "unit", "1"],
      ],
    );
    assert.deepEqual([pipelineBuilds.nextUntil, pipelineBuilds.previousSince], [undefined, undefined]);
    const newest = await admin.listBuilds({ team: "main" }, { limit: 1 });
    assert.deepEqual(
      [newest.builds[0]?.id, newest.nextUntil, newest.previousSince],
      [elsewhere.id, elsewhere.id, undefined],
    );
    const older = await admin.listBuilds({ team: "main" }, { limit: 1, until: newest.nextUntil! });
    assert.deepEqual([older.builds[0]?.id, older.previousSince], [again.id, again.id]);
    const back = await admin.listBuilds({ team: "main" }, { limit: 1, since: older.previousSince! });
    assert.deepEqual(
      back.builds.map((b) => b.id),
      [elsewhere.id],
    );
    assert.ok((await admin.listBuilds()).builds.some((b) => b.id === unit.id));
    assert.equal(await status(admin.listBuilds({}, { until: 5, since: 1 })), 400);
  });
});

describe("build events", () => {
  it("streams a build's events: catch-up, live, resume with Last-Event-ID, end", async () => {
    const name = await newPipeline();
    const build = await admin.triggerJob("main", name, "unit");
    await store.startBuild(build.id, 1);
    const line = (n: number) => ({ type: "log", data: { origin: "t", stream: "stdout", line: `line ${n}` } });
    await store.appendBuildEvents(build.id, [line(1), line(2)], 2);
    const seen: { id: number; event: string }[] = [];
    const reading = (async () => {
      for await (const event of admin.buildEvents(build.id)) seen.push({ id: event.id, event: event.event });
    })();
    while (engine.followers(build.id) === 0) await new Promise((r) => setTimeout(r, 10));
    engine.publish(build.id, await store.appendBuildEvents(build.id, [line(3)], 3));
    const final = await store.appendBuildEvents(
      build.id,
      [{ type: "status", data: { status: "succeeded" } }],
      4,
    );
    await store.finishBuild(build.id, "succeeded", 4);
    engine.publish(build.id, final);
    await reading;
    assert.deepEqual(seen, [
      { id: 1, event: "log" },
      { id: 2, event: "log" },
      { id: 3, event: "log" },
      { id: 4, event: "status" },
    ]);
    const resumed = [];
    for await (const event of admin.buildEvents(build.id, { lastEventId: 2 })) resumed.push(event);
    assert.deepEqual(
      resumed.map((e) => [e.id, e.data]),
      [
        [3, { origin: "t", stream: "stdout", line: "line 3", time: 0 }], // appended at 3 ms: second 0
        [4, { status: "succeeded" }],
      ],
    );
    assert.equal(engine.followers(build.id), 0);
  });
});

describe("resources", () => {
  it("checks, shows the check error, pins with a comment, disables a version", async () => {
    const name = await newPipeline();
    const pipeline = await admin.getPipeline("main", name);
    engine.checkError = "boom";
    const check = await admin.checkResource("main", name, "repo", { time: "x" });
    engine.checkError = undefined;
    assert.deepEqual([check.status, check.check_error], ["errored", "boom"]);
    assert.deepEqual(engine.checks.at(-1), {
      pipelineId: pipeline.id,
      resource: "repo",
      request: { from: { time: "x" } },
    });
    const resource = (await store.getResource(pipeline.id, "repo"))!;
    await store.recordCheck(resource.id, { startedAt: 1000, endedAt: 2000, error: "no route" });
    assert.equal((await admin.getResource("main", name, "repo")).check_error, "no route");
    const [v1] = await store.saveVersions(resource.resourceConfigId, [
      { version: { time: "1" } },
      { version: { time: "2" } },
    ]);
    await admin.pinVersion("main", name, "repo", v1!.id, "hold on 1");
    const pinned = await admin.getResource("main", name, "repo");
    assert.deepEqual([pinned.pinned_version_id, pinned.pin_comment], [v1!.id, "hold on 1"]);
    await admin.unpinResource("main", name, "repo");
    assert.equal((await admin.getResource("main", name, "repo")).pinned_version_id, undefined);
    await admin.enableVersion("main", name, "repo", v1!.id, false);
    const versions = await admin.listVersions("main", name, "repo");
    assert.deepEqual(
      versions.map((v) => [v.version["time"], v.enabled]),
      [
        ["2", true],
        ["1", false],
      ],
    );
    assert.equal(await status(admin.pinVersion("main", name, "repo", 999_999)), 404);
  });

  it("webhook check: the right token checks, a wrong one is 401 and checks nothing", async () => {
    const name = await newPipeline();
    const url = `${server.url}/api/v1/teams/main/pipelines/${name}/resources/repo/check/webhook`;
    const before = engine.checks.length;
    const wrong = await fetch(`${url}?webhook_token=s3cret-tokex`, { method: "POST" });
    assert.equal(wrong.status, 401);
    assert.ok(!(await wrong.text()).includes("s3cret"));
    assert.equal(engine.checks.length, before);
    const right = await fetch(`${url}?webhook_token=s3cret-token`, { method: "POST" });
    assert.equal(right.status, 200);
    assert.equal(((await right.json()) as { status: string }).status, "succeeded");
    assert.equal(engine.checks.length, before + 1);
  });
});

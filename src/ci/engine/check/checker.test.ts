import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withStore } from "../../store/sql/store.test-support.ts";
import { engineFixture } from "../engine.test-support.ts";

const MINUTE = 60_000;

const repo = (more = "", uri = "https://git.example/app.git") =>
  `{ name: repo, type: git, source: { uri: "${uri}" }${more} }`;

const pipelineWith = (resources: string, plan = "[{ get: repo, trigger: true }]") => `
resources: [${resources}]
jobs: [{ name: unit, plan: ${plan} }]
`;

describe("the checker", () => {
  it("saves the versions a check finds and records the check", () =>
    withStore(async ({ store }) => {
      const { engine, git, pipeline } = engineFixture(store);
      const p = await pipeline("app", pipelineWith(repo()));
      git.emit("a", "b");
      await engine.checker.tick();
      const resource = await store.getResource(p.id, "repo");
      assert.equal(resource?.checkError, undefined);
      assert.ok(resource?.lastCheckEndedAt);
      const versions = await store.listVersions(resource.id, { limit: 10 });
      assert.deepEqual(
        versions.map((v) => v.version),
        [{ ref: "b" }],
      );
    }));

  it("honours check_every as a lower bound between checks", () =>
    withStore(async ({ store }) => {
      const { engine, git, clock, pipeline } = engineFixture(store);
      await pipeline("app", pipelineWith(repo(", check_every: 5m")));
      git.emit("a");
      await engine.checker.tick();
      clock.now += 4 * MINUTE;
      await engine.checker.tick();
      assert.equal(git.checks.length, 1);
      clock.now += MINUTE;
      await engine.checker.tick();
      assert.equal(git.checks.length, 2);
    }));

  it("checks a resource that is no trigger input once, then only on demand", () =>
    withStore(async ({ store }) => {
      const { engine, git, clock, pipeline } = engineFixture(store);
      const p = await pipeline("app", pipelineWith(repo(), "[{ get: repo }]"));
      git.emit("a");
      await engine.checker.tick();
      clock.now += 10 * MINUTE;
      await engine.checker.tick();
      assert.equal(git.checks.length, 1);
      const outcome = await engine.checkResource(p.id, "repo");
      assert.equal(outcome.error, undefined);
      assert.equal(git.checks.length, 2);
    }));

  it("never checks a check_every: never resource periodically", () =>
    withStore(async ({ store }) => {
      const { engine, git, pipeline } = engineFixture(store);
      await pipeline("app", pipelineWith(repo(", check_every: never")));
      await engine.checker.tick();
      assert.equal(git.checks.length, 0);
    }));
});

describe("the checker's errors and sharing", () => {
  it("records a failed check and retries it with a doubling delay", () =>
    withStore(async ({ store }) => {
      const { engine, git, clock, pipeline } = engineFixture(store);
      const p = await pipeline("app", pipelineWith(repo(), "[{ get: repo }]"));
      git.failure = "remote: repository not found";
      await engine.checker.tick();
      const resource = await store.getResource(p.id, "repo");
      assert.equal(resource?.checkError, "remote: repository not found");
      const checksAfter = async (minutes: number) => {
        clock.now += minutes * MINUTE;
        await engine.checker.tick();
        return git.checks.length;
      };
      assert.equal(await checksAfter(1), 2, "first retry after check_every");
      assert.equal(await checksAfter(1), 2, "second retry waits twice as long");
      assert.equal(await checksAfter(1), 3);
      git.failure = undefined;
      assert.equal(await checksAfter(4), 4);
      assert.equal((await store.getResource(p.id, "repo"))?.checkError, undefined);
      assert.equal(await checksAfter(10), 4, "a healthy non-trigger resource is not checked periodically");
    }));

  it("checks a config shared by several pipelines once per interval", () =>
    withStore(async ({ store }) => {
      const { engine, git, clock, pipeline } = engineFixture(store);
      const a = await pipeline("a", pipelineWith(repo()));
      const b = await pipeline("b", pipelineWith(repo()));
      await pipeline("other", pipelineWith(repo("", "https://git.example/other.git")));
      git.emit("v1");
      const scheduled: number[] = [];
      engine.schedule = (id) => void scheduled.push(id);
      await engine.checker.tick();
      assert.equal(git.checks.length, 2, "one check for app.git, one for other.git");
      assert.ok(scheduled.includes(a.id) && scheduled.includes(b.id), "both pipelines are scheduled");
      const [ra, rb] = [await store.getResource(a.id, "repo"), await store.getResource(b.id, "repo")];
      assert.equal(ra?.resourceConfigId, rb?.resourceConfigId);
      assert.ok(rb?.lastCheckEndedAt, "the shared check is recorded on each resource");
      clock.now += 30_000;
      await engine.checkResource(b.id, "repo");
      clock.now += 30_000;
      await engine.checker.tick();
      assert.equal(git.checks.length, 4, "on demand checks run at once; the periodic pass reuses it for a");
    }));
});

describe("the checker's sources", () => {
  it("resolves ((vars)) in the source and keeps their values out of check errors", () =>
    withStore(async ({ store }) => {
      const { engine, git, pipeline } = engineFixture(store, { git: { token: "s3cret-token" } });
      const p = await pipeline(
        "app",
        pipelineWith(
          `{ name: repo, type: git, source: { uri: "https://((git.token))@git.example/app.git" } }`,
        ),
      );
      git.failure = "cannot reach https://s3cret-token@git.example/app.git";
      const outcome = await engine.checkResource(p.id, "repo");
      assert.deepEqual(git.checks, [{ uri: "https://s3cret-token@git.example/app.git" }]);
      assert.equal(outcome.error, "cannot reach https://((redacted))@git.example/app.git");
      assert.equal((await store.getResource(p.id, "repo"))?.checkError, outcome.error);
    }));

  it("records a var that cannot be resolved as the check error, naming it", () =>
    withStore(async ({ store }) => {
      const { engine, git, pipeline } = engineFixture(store);
      const p = await pipeline(
        "app",
        pipelineWith(`{ name: repo, type: git, source: { uri: ((git.url)) } }`),
      );
      const outcome = await engine.checkResource(p.id, "repo");
      assert.match(outcome.error ?? "", /undefined vars:\n {2}\(\(git\.url\)\) used at uri/);
      assert.equal(git.checks.length, 0);
    }));

  it("says a declared resource type needs a sandbox when the worker has none", () =>
    withStore(async ({ store }) => {
      const { engine, pipeline } = engineFixture(store);
      const p = await pipeline(
        "app",
        `
resource_types: [{ name: slack, type: registry-image, source: { repository: example/slack } }]
resources: [{ name: notify, type: slack }]
jobs: [{ name: unit, plan: [{ get: notify, trigger: true }] }]
`,
      );
      await engine.checker.tick();
      const resource = await store.getResource(p.id, "notify");
      assert.equal(
        resource?.checkError,
        "resource type slack: this worker has no sandbox to run declared resource types",
      );
    }));

  it("does not record a check cut short by a stop as the resource's error", () =>
    withStore(async ({ store }) => {
      const { engine, git, pipeline } = engineFixture(store);
      const p = await pipeline("app", pipelineWith(repo()));
      const stop = new AbortController();
      stop.abort();
      const outcome = await engine.checkResource(p.id, "repo", { signal: stop.signal });
      assert.ok(outcome.error);
      assert.equal(git.checks.length, 0);
      const resource = await store.getResource(p.id, "repo");
      assert.deepEqual([resource?.checkError, resource?.lastCheckEndedAt], [undefined, undefined]);
    }));

  it("rejects an on-demand check of a resource the pipeline does not have", () =>
    withStore(async ({ store }) => {
      const { engine, pipeline } = engineFixture(store);
      const p = await pipeline("app", pipelineWith(repo()));
      await assert.rejects(engine.checkResource(p.id, "nope"), /pipeline \d+ has no resource "nope"/);
    }));
});

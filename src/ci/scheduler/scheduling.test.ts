import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { validPipeline } from "../pipeline/parse.test-support.ts";
import { nextBuildName, rerunBuildName } from "./build-names.ts";
import { mayStart, type ActiveBuild } from "./concurrency.ts";
import { MemoryHistory } from "./history.test-support.ts";
import { jobInputs } from "./job-inputs.ts";
import { resolveInputs } from "./resolve-inputs.ts";
import { decideBuild, type TriggeredBy } from "./trigger.ts";

const triggerPipeline = validPipeline(`
resources: [{ name: repo, type: git }, { name: config, type: git }]
jobs:
  - name: unit
    plan: [{ get: repo, trigger: true }, { get: config }]
`).pipeline;

async function decide(history: MemoryHistory, by: TriggeredBy = "scheduler") {
  const inputs = jobInputs(triggerPipeline, "unit");
  const decision = decideBuild(inputs, await resolveInputs("unit", inputs, history), by);
  return decision.create ? { create: true, triggeredBy: decision.triggeredBy } : decision;
}

describe("decideBuild", () => {
  it("creates a build for a trigger input's new version", async () => {
    const history = new MemoryHistory().check("repo", "a").check("config", "x");
    assert.deepEqual(await decide(history), { create: true, triggeredBy: ["repo"] });
  });

  it("does not create one when only a non-trigger input has a new version", async () => {
    const history = new MemoryHistory()
      .check("repo", "a")
      .check("config", "x")
      .build("unit", "succeeded", { repo: "repo@a", config: "config@x" })
      .check("config", "y");
    assert.deepEqual(await decide(history), {
      create: false,
      reason: "no trigger input has a version this job has not used",
      waiting: [],
    });
  });

  it("counts a version used by a failed build as used", async () => {
    const history = new MemoryHistory()
      .check("repo", "a")
      .check("config", "x")
      .build("unit", "failed", { repo: "repo@a", config: "config@x" });
    assert.equal((await decide(history)).create, false);
  });

  it("creates a manual build without a new version", async () => {
    const history = new MemoryHistory()
      .check("repo", "a")
      .check("config", "x")
      .build("unit", "succeeded", { repo: "repo@a", config: "config@x" });
    assert.deepEqual(await decide(history, "manual"), { create: true, triggeredBy: [] });
  });

  it("says why a manual build waits", async () => {
    const history = new MemoryHistory().check("repo", "a");
    assert.deepEqual(await decide(history, "manual"), {
      create: false,
      reason: "waiting for a suitable set of input versions",
      waiting: [{ name: "config", reason: "no versions of config yet" }],
    });
  });

  it("triggers the demo pipeline's build job on a new commit of source-code", async () => {
    const yaml = readFileSync(new URL("../pipeline/testdata/demo.yaml", import.meta.url), "utf8");
    const { pipeline } = validPipeline(yaml);
    const inputs = jobInputs(pipeline, "build");
    assert.deepEqual(inputs, [
      {
        name: "source-code",
        resource: "source-code",
        passed: [],
        trigger: true,
        version: { kind: "latest" },
      },
    ]);
    const history = new MemoryHistory().check("source-code", "c1");
    const first = decideBuild(inputs, await resolveInputs("build", inputs, history), "scheduler");
    assert.ok(first.create);
    assert.deepEqual(first.triggeredBy, ["source-code"]);
    history
      .check("version", "1.0.1")
      .build("build", "succeeded", { "source-code": "source-code@c1" }, { outputs: ["version@1.0.1"] });
    const again = decideBuild(inputs, await resolveInputs("build", inputs, history), "scheduler");
    assert.equal(again.create, false);
    history.check("source-code", "c2");
    const next = decideBuild(inputs, await resolveInputs("build", inputs, history), "scheduler");
    assert.ok(next.create);
    assert.deepEqual(
      next.inputs.map((input) => input.version.version),
      [{ ref: "c2" }],
    );
  });
});

const limitsPipeline = validPipeline(`
resources: [{ name: repo, type: git }]
jobs:
  - { name: free, plan: [{ get: repo }] }
  - { name: serial, serial: true, plan: [{ get: repo }] }
  - { name: three, max_in_flight: 3, plan: [{ get: repo }] }
  - { name: deploy-a, serial_groups: [deploy], plan: [{ get: repo }] }
  - { name: deploy-b, serial_groups: [deploy, other], plan: [{ get: repo }] }
`).pipeline;
const jobs = limitsPipeline.jobs ?? [];

let ids = 0;
const build = (job: string, name: string, state: ActiveBuild["state"], rerunOf?: number): ActiveBuild => ({
  id: ++ids,
  job,
  name,
  state,
  ...(rerunOf === undefined ? {} : { rerunOf }),
});

describe("mayStart", () => {
  it("starts any number of builds of a job without limits", () => {
    const pending = build("free", "3", "pending");
    const active = [build("free", "1", "running"), build("free", "2", "running"), pending];
    assert.deepEqual(mayStart(jobs, pending, active), { start: true });
  });

  it("runs a serial job's builds one at a time", () => {
    const pending = build("serial", "2", "pending");
    const active = [build("serial", "1", "running"), pending];
    assert.deepEqual(mayStart(jobs, pending, active), {
      start: false,
      reason: "job serial is serial and #1 is running",
    });
    assert.deepEqual(mayStart(jobs, pending, [pending]), { start: true });
  });

  it("starts a serial job's pending builds oldest first", () => {
    const older = build("serial", "1", "pending");
    const newer = build("serial", "2", "pending");
    assert.deepEqual(mayStart(jobs, newer, [older, newer]), {
      start: false,
      reason: "job serial #1 is pending ahead of it",
    });
  });

  it("allows max_in_flight builds at once", () => {
    const running = [build("three", "1", "running"), build("three", "2", "running")];
    const pending = build("three", "3", "pending");
    assert.deepEqual(mayStart(jobs, pending, [...running, pending]), { start: true });
    const third = { ...pending, state: "running" as const };
    const fourth = build("three", "4", "pending");
    assert.deepEqual(mayStart(jobs, fourth, [...running, third, fourth]), {
      start: false,
      reason: "max_in_flight 3 reached: #1, #2 and #3 are running",
    });
  });

  it("holds a build while another job of its serial group runs", () => {
    const pending = build("deploy-b", "1", "pending");
    const active = [build("deploy-a", "3", "running"), pending, build("free", "9", "running")];
    assert.deepEqual(mayStart(jobs, pending, active), {
      start: false,
      reason: "serial group deploy is busy with job deploy-a #3",
    });
  });

  it("starts the serial group's oldest pending build first, across jobs", () => {
    const a = build("deploy-a", "4", "pending");
    const b = build("deploy-b", "2", "pending");
    assert.deepEqual(mayStart(jobs, b, [a, b]), {
      start: false,
      reason: "job deploy-a #4 is pending ahead of it in serial group deploy",
    });
    assert.deepEqual(mayStart(jobs, a, [a, b]), { start: true });
  });

  it("queues a rerun where the build it reruns stood", () => {
    const original = build("serial", "1", "pending");
    const later = build("serial", "2", "pending");
    const rerun = build("serial", "1.1", "pending", original.id);
    assert.deepEqual(mayStart(jobs, rerun, [later, rerun]), { start: true });
  });
});

describe("build names", () => {
  it("numbers a job's builds from 1", () => {
    assert.equal(nextBuildName(0), "1");
    assert.equal(nextBuildName(41), "42");
  });

  it("names reruns of build N N.1, N.2, also when rerunning a rerun", () => {
    assert.equal(rerunBuildName({ name: "4" }, 0), "4.1");
    assert.equal(rerunBuildName({ name: "4.1", rerunOf: "4" }, 1), "4.2");
  });
});

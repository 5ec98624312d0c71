import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validPipeline } from "../pipeline/parse.test-support.ts";
import { MemoryHistory } from "./history.test-support.ts";
import { jobInputs, type ApiPin } from "./job-inputs.ts";
import { resolveInputs, type InputResolution } from "./resolve-inputs.ts";

/** A pipeline with git resources repo and config and jobs unit, lint (each getting both) and `deploy` running `gets`. */
function pipelineWith(gets: string, resourceExtra = "") {
  return validPipeline(`
resources:
  - { name: repo, type: git${resourceExtra} }
  - { name: config, type: git }
jobs:
  - { name: unit, plan: [{ get: repo }, { get: config }] }
  - { name: lint, plan: [{ get: repo }, { get: config }] }
  - name: deploy
    plan: ${gets}
`).pipeline;
}

/** Each input's ref, `+` when a first occurrence; or each waiting input's reason. */
function summary(resolution: InputResolution): Record<string, string> {
  if (!resolution.ok) return Object.fromEntries(resolution.waiting.map((w) => [w.name, w.reason]));
  return Object.fromEntries(
    resolution.inputs.map((i) => [i.name, `${i.version.version.ref ?? ""}${i.firstOccurrence ? "+" : ""}`]),
  );
}

interface Case {
  name: string;
  gets: string;
  resourceExtra?: string;
  history: (h: MemoryHistory) => unknown;
  apiPins?: Record<string, ApiPin>;
  expected: Record<string, string>;
}

const cases: Case[] = [
  {
    name: "latest takes the newest version by check order",
    gets: "[{ get: repo }]",
    history: (h) => h.check("repo", "a", "b", "c"),
    expected: { repo: "c+" },
  },
  {
    name: "a re-emitted version becomes the latest",
    gets: "[{ get: repo }]",
    history: (h) => h.check("repo", "a", "b", "a"),
    expected: { repo: "a+" },
  },
  {
    name: "disabled versions are skipped",
    gets: "[{ get: repo }]",
    history: (h) => h.check("repo", "a", "b", "c").disable("repo", "c"),
    expected: { repo: "b+" },
  },
  {
    name: "a version a build of the job used is not a first occurrence",
    gets: "[{ get: repo }]",
    history: (h) => h.check("repo", "a").build("deploy", "failed", { repo: "repo@a" }),
    expected: { repo: "a" },
  },
  {
    name: "waits when a resource has no versions",
    gets: "[{ get: repo }]",
    history: () => undefined,
    expected: { repo: "no versions of repo yet" },
  },
  {
    name: "waits when every version is disabled",
    gets: "[{ get: repo }]",
    history: (h) => h.check("repo", "a").disable("repo", "a"),
    expected: { repo: "every version of repo is disabled" },
  },
  {
    name: "every, for a job that never ran, starts at the latest version",
    gets: "[{ get: repo, version: every }]",
    history: (h) => h.check("repo", "a", "b", "c"),
    expected: { repo: "c+" },
  },
  {
    name: "every takes the oldest version after the newest one used",
    gets: "[{ get: repo, version: every }]",
    history: (h) => h.check("repo", "a", "b", "c").passed("deploy", "repo", "a"),
    expected: { repo: "b+" },
  },
  {
    name: "every skips disabled versions",
    gets: "[{ get: repo, version: every }]",
    history: (h) => h.check("repo", "a", "b", "c").passed("deploy", "repo", "a").disable("repo", "b"),
    expected: { repo: "c+" },
  },
  {
    name: "every stays on the newest version once it is used",
    gets: "[{ get: repo, version: every }]",
    history: (h) => h.check("repo", "a", "b").passed("deploy", "repo", "b"),
    expected: { repo: "b" },
  },
  {
    name: "a version pinned in the get step",
    gets: "[{ get: repo, version: { ref: a } }]",
    history: (h) => h.check("repo", "a", "b"),
    expected: { repo: "a+" },
  },
  {
    name: "a version pinned in the get step that does not exist",
    gets: "[{ get: repo, version: { ref: abc } }]",
    history: (h) => h.check("repo", "a"),
    expected: { repo: "pinned version {ref: abc} of repo not found" },
  },
  {
    name: "a version pinned in the resource's config",
    gets: "[{ get: repo }]",
    resourceExtra: ", version: { ref: a }",
    history: (h) => h.check("repo", "a", "b"),
    expected: { repo: "a+" },
  },
  {
    name: "a version pinned through the API, even when disabled",
    gets: "[{ get: repo }]",
    apiPins: { repo: { fields: { ref: "a" }, comment: "b breaks prod" } },
    history: (h) => h.check("repo", "a", "b").disable("repo", "a"),
    expected: { repo: "a+" },
  },
  {
    name: "passed one job: the newest version of a succeeded build",
    gets: "[{ get: repo, passed: [unit] }]",
    history: (h) => h.check("repo", "a", "b", "c").passed("unit", "repo", "a", "b"),
    expected: { repo: "b+" },
  },
  {
    name: "passed: a failed build's version does not pass",
    gets: "[{ get: repo, passed: [unit] }]",
    history: (h) => h.check("repo", "a").build("unit", "failed", { repo: "repo@a" }),
    expected: { repo: "no version of resource repo has passed job unit" },
  },
  {
    name: "passed: a disabled version does not pass",
    gets: "[{ get: repo, passed: [unit] }]",
    history: (h) => h.check("repo", "a", "b").passed("unit", "repo", "a", "b").disable("repo", "b"),
    expected: { repo: "a+" },
  },
  {
    name: "passed: a put's output passes too",
    gets: "[{ get: repo, passed: [unit] }]",
    history: (h) => h.check("repo", "a", "b").build("unit", "succeeded", {}, { outputs: ["repo@a"] }),
    expected: { repo: "a+" },
  },
  {
    name: "passed two jobs: the newest version both passed",
    gets: "[{ get: repo, passed: [unit, lint] }]",
    history: (h) =>
      h
        .check("repo", "a", "b")
        .passed("unit", "repo", "a")
        .passed("lint", "repo", "a")
        .passed("unit", "repo", "b"),
    expected: { repo: "a+" },
  },
  {
    name: "passed two jobs: no version passed both",
    gets: "[{ get: repo, passed: [unit, lint] }]",
    history: (h) => h.check("repo", "a", "b").passed("unit", "repo", "a").passed("lint", "repo", "b"),
    expected: { repo: "versions of repo that passed jobs unit and lint together: none" },
  },
  {
    name: "passed globs match job names",
    gets: "[{ get: repo, passed: ['u*'] }]",
    history: (h) => h.check("repo", "a").passed("unit", "repo", "a"),
    expected: { repo: "a+" },
  },
  {
    name: "every and passed, for a job that never ran: the newest version that passed",
    gets: "[{ get: repo, passed: [unit], version: every }]",
    history: (h) => h.check("repo", "a", "b").passed("unit", "repo", "a", "b"),
    expected: { repo: "b+" },
  },
  {
    name: "every and passed: the build after the one the last version came from",
    gets: "[{ get: repo, passed: [unit], version: every }]",
    history: (h) => {
      h.check("repo", "a", "b", "c").passed("unit", "repo", "a");
      const fedBy = [h.lastBuildId];
      h.passed("unit", "repo", "b", "c").build("deploy", "succeeded", { repo: "repo@a" }, { fedBy });
    },
    expected: { repo: "b+" },
  },
  {
    name: "correlated: inputs sharing a passed job take their versions from the same build",
    gets: "[{ get: repo, passed: [unit] }, { get: config, passed: [unit, lint] }]",
    history: (h) =>
      h
        .check("repo", "a", "b")
        .check("config", "x", "y")
        .build("unit", "succeeded", { repo: "repo@a", config: "config@x" })
        .build("unit", "succeeded", { repo: "repo@b", config: "config@y" })
        .passed("lint", "config", "x"),
    expected: { repo: "a+", config: "x+" },
  },
  {
    name: "correlated: versions that passed a shared job only apart",
    gets: "[{ get: repo, passed: [unit] }, { get: config, passed: [unit, lint] }]",
    history: (h) =>
      h
        .check("repo", "a")
        .check("config", "x", "y")
        .build("unit", "succeeded", { repo: "repo@a", config: "config@x" })
        .passed("unit", "config", "y")
        .passed("lint", "config", "y"),
    expected: {
      repo: "versions of repo and config that passed job unit together: none",
      config: "versions of repo and config that passed job unit together: none",
    },
  },
  {
    name: "pinned and passed: the pin must have passed",
    gets: "[{ get: repo, passed: [unit], version: { ref: a } }]",
    history: (h) => h.check("repo", "a", "b").passed("unit", "repo", "b"),
    expected: { repo: "pinned version {ref: a} of repo has not passed job unit" },
  },
  {
    name: "pinned and passed: an older build that passed the pin",
    gets: "[{ get: repo, passed: [unit], version: { ref: a } }]",
    history: (h) => h.check("repo", "a", "b").passed("unit", "repo", "a", "b"),
    expected: { repo: "a+" },
  },
  {
    name: "only the inputs that cannot resolve wait",
    gets: "[{ get: repo }, { get: config, passed: [unit] }]",
    history: (h) => h.check("repo", "a").check("config", "x"),
    expected: { config: "no version of resource config has passed job unit" },
  },
];

describe("resolveInputs", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const history = new MemoryHistory();
      c.history(history);
      const inputs = jobInputs(
        pipelineWith(c.gets, c.resourceExtra),
        "deploy",
        new Map(Object.entries(c.apiPins ?? {})),
      );
      assert.deepEqual(summary(await resolveInputs("deploy", inputs, history)), c.expected);
    });
  }

  it("says which builds of the passed jobs the versions came from", async () => {
    const history = new MemoryHistory().check("repo", "a");
    const unit = history.passed("unit", "repo", "a").lastBuildId;
    const lint = history.passed("lint", "repo", "a").lastBuildId;
    const inputs = jobInputs(pipelineWith("[{ get: repo, passed: [unit, lint] }]"), "deploy");
    const resolution = await resolveInputs("deploy", inputs, history);
    assert.ok(resolution.ok);
    assert.deepEqual(resolution.inputs[0]?.passedBuilds, [unit, lint]);
  });
});

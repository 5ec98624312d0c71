import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validPipeline } from "./parse.test-support.ts";
import { planJob, planStep, type PlanStep } from "./plan.ts";
import type { Step } from "./steps.ts";

/** The kinds from the outermost wrapper down to the step it wraps. */
function chain(node: PlanStep): string[] {
  return "step" in node && node.kind !== "try" ? [node.kind, ...chain(node.step)] : [node.kind];
}

const hook = (name: string): Step => ({ put: name });

describe("planStep", () => {
  it("nests the modifiers in Concourse's order whatever order the YAML has", () => {
    const step: Step = {
      timeout: "5m",
      ensure: hook("ensure"),
      attempts: 3,
      on_success: hook("success"),
      across: [{ var: "os", values: ["linux"] }],
      on_abort: hook("abort"),
      on_failure: hook("failure"),
      on_error: hook("error"),
      task: "unit",
      file: "repo/unit.yml",
    };
    assert.deepEqual(chain(planStep(step)), [
      "ensure",
      "on_error",
      "on_abort",
      "on_failure",
      "on_success",
      "across",
      "attempts",
      "timeout",
      "task",
    ]);
  });

  it("gives each wrapper its own settings and hook, and the step its own fields only", () => {
    const plan = planStep({
      get: "repo",
      trigger: true,
      tags: ["linux"],
      timeout: "1m",
      attempts: "((n))",
      across: [{ var: "v", values: [1, 2] }],
      fail_fast: true,
      on_failure: { put: "alert", params: { text: "failed" } },
    });
    assert.deepEqual(plan, {
      kind: "on_failure",
      hook: { kind: "put", config: { put: "alert", params: { text: "failed" } } },
      step: {
        kind: "across",
        vars: [{ var: "v", values: [1, 2] }],
        fail_fast: true,
        step: {
          kind: "attempts",
          attempts: "((n))",
          step: {
            kind: "timeout",
            duration: "1m",
            step: { kind: "get", config: { get: "repo", trigger: true, tags: ["linux"] } },
          },
        },
      },
    });
  });

  it("leaves a step without modifiers unwrapped", () => {
    assert.deepEqual(planStep({ load_var: "v", file: "repo/v", format: "json" }), {
      kind: "load_var",
      config: { load_var: "v", file: "repo/v", format: "json" },
    });
  });
});

describe("planStep inside do, try and in_parallel", () => {
  it("plans the steps inside do, try and in_parallel (both forms) the same way", () => {
    const inner: Step = { put: "image", attempts: 2 };
    const planned: PlanStep = {
      kind: "attempts",
      attempts: 2,
      step: { kind: "put", config: { put: "image" } },
    };
    assert.deepEqual(planStep({ do: [inner], tags: ["arm"] }), {
      kind: "do",
      steps: [planned],
      tags: ["arm"],
    });
    assert.deepEqual(planStep({ try: inner }), { kind: "try", step: planned });
    assert.deepEqual(planStep({ in_parallel: [inner] }), { kind: "in_parallel", steps: [planned] });
    assert.deepEqual(planStep({ in_parallel: { steps: [inner], limit: 2, fail_fast: true } }), {
      kind: "in_parallel",
      steps: [planned],
      limit: 2,
      fail_fast: true,
    });
  });

  it("puts a try's own modifiers around the try, not inside it", () => {
    assert.deepEqual(chain(planStep({ try: { get: "repo" }, timeout: "1m", ensure: hook("x") })), [
      "ensure",
      "timeout",
      "try",
    ]);
  });
});

describe("planJob", () => {
  it("runs the plan as a do inside the job's hooks, in the same order as a step's", () => {
    const { pipeline } = validPipeline(`
resources: [{ name: repo, type: git }]
jobs:
  - name: main
    ensure: { put: repo }
    on_success: { put: repo }
    on_error: { put: repo }
    plan: [{ get: repo }, { put: repo, attempts: 2 }]
`);
    const job = pipeline.jobs?.[0];
    assert.ok(job);
    const plan = planJob(job);
    assert.deepEqual(chain(plan), ["ensure", "on_error", "on_success", "do"]);
    let body = plan;
    while ("step" in body) body = body.step;
    assert.deepEqual(body, {
      kind: "do",
      steps: [
        { kind: "get", config: { get: "repo" } },
        { kind: "attempts", attempts: 2, step: { kind: "put", config: { put: "repo" } } },
      ],
    });
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Hook } from "../pipeline/step-tree.ts";
import { runScripted, type Behaviour } from "./executor.test-support.ts";
import type { Outcome } from "./outcome.ts";

const ran = (name: string, outcome: Outcome) => [`${name} started`, `${name} ${outcome}`];
const outcomeOf: Record<Exclude<Behaviour, number>, Outcome> = {
  succeed: "succeeded",
  fail: "failed",
  error: "errored",
  abort: "aborted",
  hang: "aborted",
};

type Row = [
  hook: Hook,
  step: "succeed" | "fail" | "error" | "abort",
  hook: "succeed" | "fail" | "error" | null,
  whole: Outcome,
];

// hook null: the hook does not run (its script would succeed).
const table: Row[] = [
  ["on_success", "succeed", "succeed", "succeeded"],
  ["on_success", "succeed", "fail", "failed"],
  ["on_success", "succeed", "error", "errored"],
  ["on_success", "fail", null, "failed"],
  ["on_success", "error", null, "errored"],
  ["on_success", "abort", null, "aborted"],
  ["on_failure", "succeed", null, "succeeded"],
  ["on_failure", "fail", "succeed", "failed"],
  ["on_failure", "fail", "fail", "failed"],
  ["on_failure", "fail", "error", "errored"],
  ["on_failure", "error", null, "errored"],
  ["on_failure", "abort", null, "aborted"],
  ["on_error", "succeed", null, "succeeded"],
  ["on_error", "fail", null, "failed"],
  ["on_error", "error", "succeed", "errored"],
  ["on_error", "error", "fail", "errored"],
  ["on_error", "abort", null, "aborted"],
  ["on_abort", "succeed", null, "succeeded"],
  ["on_abort", "fail", null, "failed"],
  ["on_abort", "error", null, "errored"],
  ["on_abort", "abort", "succeed", "aborted"],
  ["on_abort", "abort", "error", "aborted"],
  ["ensure", "succeed", "succeed", "succeeded"],
  ["ensure", "succeed", "fail", "failed"],
  ["ensure", "succeed", "error", "errored"],
  ["ensure", "fail", "succeed", "failed"],
  ["ensure", "fail", "error", "errored"],
  ["ensure", "error", "succeed", "errored"],
  ["ensure", "error", "fail", "errored"],
  ["ensure", "abort", "succeed", "aborted"],
  ["ensure", "abort", "fail", "aborted"],
];

describe("hooks", () => {
  for (const [hook, step, hookBehaviour, whole] of table) {
    const runs = hookBehaviour === null ? "does not run" : `${hookBehaviour}s`;
    it(`${hook}: a step that ends ${outcomeOf[step]}, the hook ${runs} → ${whole}`, async () => {
      const run = await runScripted({ step, hook: hookBehaviour ?? "succeed" }, [
        { task: "step", [hook]: { task: "hook" } },
      ]);
      assert.equal(run.outcome, whole);
      const hookTrace = hookBehaviour === null ? [] : ran("hook", outcomeOf[hookBehaviour]);
      assert.deepEqual(run.trace, [...ran("step", outcomeOf[step]), ...hookTrace]);
    });
  }

  it("a hook's steps get the hook's origin", async () => {
    const run = await runScripted({ step: "fail" }, [{ task: "step", on_failure: { task: "hook" } }]);
    assert.deepEqual(
      run.runs.map((r) => [r.name, r.origin]),
      [
        ["step", "plan/0"],
        ["hook", "plan/0/on_failure"],
      ],
    );
  });

  it("all hooks of a step, in Concourse's nesting: on_success inside on_failure … inside ensure", async () => {
    const hooks = {
      on_success: { task: "on_success" },
      on_failure: { task: "on_failure" },
      on_error: { task: "on_error" },
      on_abort: { task: "on_abort" },
      ensure: { task: "ensure" },
    };
    const succeeded = await runScripted({}, [{ task: "step", ...hooks }]);
    assert.deepEqual(succeeded.trace, [
      ...ran("step", "succeeded"),
      ...ran("on_success", "succeeded"),
      ...ran("ensure", "succeeded"),
    ]);
    // on_success fails the step, but on_failure wraps it and sees the failure.
    const hookFailed = await runScripted({ on_success: "fail" }, [{ task: "step", ...hooks }]);
    assert.equal(hookFailed.outcome, "failed");
    assert.deepEqual(hookFailed.trace, [
      ...ran("step", "succeeded"),
      ...ran("on_success", "failed"),
      ...ran("on_failure", "succeeded"),
      ...ran("ensure", "succeeded"),
    ]);
  });

  it("the hooks of a do wrap all its steps", async () => {
    const run = await runScripted({ b: "error" }, [
      { do: [{ task: "a" }, { task: "b" }, { task: "c" }], on_error: { task: "alert" } },
    ]);
    assert.equal(run.outcome, "errored");
    assert.deepEqual(run.trace, [
      ...ran("a", "succeeded"),
      ...ran("b", "errored"),
      ...ran("alert", "succeeded"),
    ]);
  });
});

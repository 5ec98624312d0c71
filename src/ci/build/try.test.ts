import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runScripted } from "./executor.test-support.ts";

describe("try", () => {
  for (const [behaviour, outcome] of [
    ["succeed", "succeeded"],
    ["fail", "succeeded"],
    ["error", "succeeded"],
    ["abort", "aborted"],
  ] as const) {
    it(`a step that ${behaviour}s → ${outcome}`, async () => {
      const run = await runScripted({ step: behaviour }, [
        { try: { task: "step" }, on_abort: { task: "on_abort" } },
        { task: "next" },
      ]);
      assert.equal(run.outcome, outcome);
      const after =
        outcome === "succeeded"
          ? ["next started", "next succeeded"]
          : ["on_abort started", "on_abort succeeded"];
      assert.deepEqual(run.trace.slice(2), after);
      assert.equal(run.runs[0]?.origin, "plan/0/try");
    });
  }

  it("ensure after try: the hook runs and the whole succeeds", async () => {
    const run = await runScripted({ step: "fail" }, [{ try: { task: "step" }, ensure: { task: "cleanup" } }]);
    assert.equal(run.outcome, "succeeded");
    assert.deepEqual(run.trace, ["step started", "step failed", "cleanup started", "cleanup succeeded"]);
  });
});

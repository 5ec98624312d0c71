import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runScripted } from "./executor.test-support.ts";

describe("do", () => {
  for (const [behaviour, outcome] of [
    ["fail", "failed"],
    ["error", "errored"],
    ["abort", "aborted"],
  ] as const) {
    it(`runs in order and stops at a step that ends ${outcome}`, async () => {
      const run = await runScripted({ b: behaviour }, [
        { do: [{ task: "a" }, { task: "b" }, { task: "c" }] },
      ]);
      assert.equal(run.outcome, outcome);
      assert.deepEqual(run.trace, ["a started", "a succeeded", "b started", `b ${outcome}`]);
    });
  }

  it("succeeds when all its steps do, numbering their origins", async () => {
    const run = await runScripted({}, [{ do: [{ task: "a" }, { task: "b" }] }]);
    assert.equal(run.outcome, "succeeded");
    assert.deepEqual(
      run.runs.map((r) => r.origin),
      ["plan/0/0", "plan/0/1"],
    );
  });
});

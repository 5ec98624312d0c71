import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logLines, runScripted } from "./executor.test-support.ts";

describe("attempts", () => {
  it("retries failed and errored attempts until one succeeds", async () => {
    const run = await runScripted({ step: ["fail", "error", "succeed", "fail"] }, [
      { task: "step", attempts: 5 },
    ]);
    assert.equal(run.outcome, "succeeded");
    assert.deepEqual(run.trace, [
      "step started",
      "step failed",
      "step started",
      "step errored",
      "step started",
      "step succeeded",
    ]);
    assert.deepEqual(
      run.runs.map((r) => r.origin),
      ["plan/0/attempt/1", "plan/0/attempt/2", "plan/0/attempt/3"],
    );
  });

  for (const [script, outcome] of [
    [["fail", "error"], "errored"],
    [["error", "fail"], "failed"],
  ] as const) {
    it(`the last attempt's outcome counts: ${script.join(", ")} → ${outcome}`, async () => {
      const run = await runScripted({ step: [...script] }, [{ task: "step", attempts: 2 }]);
      assert.equal(run.outcome, outcome);
      assert.equal(run.runs.length, 2);
    });
  }

  it("an abort ends the retries", async () => {
    const run = await runScripted({ step: "abort" }, [{ task: "step", attempts: 3 }]);
    assert.equal(run.outcome, "aborted");
    assert.deepEqual(run.trace, ["step started", "step aborted"]);
  });

  it("on_failure of a step with attempts runs once, after the last attempt", async () => {
    const run = await runScripted({ step: "fail" }, [
      { task: "step", attempts: 3, on_failure: { task: "hook" } },
    ]);
    assert.equal(run.outcome, "failed");
    assert.deepEqual(run.trace, [
      ...["step started", "step failed"],
      ...["step started", "step failed"],
      ...["step started", "step failed"],
      ...["hook started", "hook succeeded"],
    ]);
  });

  it("the count may be a var; a count that is not a positive integer errors", async () => {
    const fromVar = await runScripted({ step: "fail" }, [{ task: "step", attempts: "((n))" }], {
      vars: { n: 2 },
    });
    assert.equal(fromVar.runs.length, 2);
    const invalid = await runScripted({}, [{ task: "step", attempts: "((n))" }], { vars: { n: "two" } });
    assert.equal(invalid.outcome, "errored");
    assert.deepEqual(invalid.trace, []);
    assert.deepEqual(logLines(invalid), [
      "plan/0: attempts: expected an integer greater than 0, got a string",
    ]);
  });
});

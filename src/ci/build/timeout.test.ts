import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { logLines, runScripted } from "./executor.test-support.ts";

describe("timeout", () => {
  it("interrupts the step when the duration has passed, and the step is errored", async () => {
    const run = await runScripted({ step: "hang" }, [{ task: "step", timeout: "20ms" }]);
    assert.equal(run.outcome, "errored");
    assert.deepEqual(run.trace, ["step started", "step errored"]);
    assert.deepEqual(logLines(run), ["plan/0: timeout exceeded (20ms)"]);
  });

  it("leaves a step that ends in time alone", async () => {
    const run = await runScripted({ step: 5 }, [{ task: "step", timeout: "1s" }]);
    assert.equal(run.outcome, "succeeded");
    assert.deepEqual(logLines(run), []);
  });

  it("runs on_error, not on_abort; try masks it", async () => {
    const hooked = await runScripted({ step: "hang" }, [
      { task: "step", timeout: "10ms", on_abort: { task: "on_abort" }, on_error: { task: "on_error" } },
    ]);
    assert.equal(hooked.outcome, "errored");
    assert.deepEqual(hooked.trace, [
      "step started",
      "step errored",
      "on_error started",
      "on_error succeeded",
    ]);
    const tried = await runScripted({ step: "hang" }, [
      { try: { task: "step", timeout: "10ms" } },
      { task: "next" },
    ]);
    assert.equal(tried.outcome, "succeeded");
    assert.deepEqual(tried.trace, ["step started", "step errored", "next started", "next succeeded"]);
  });

  it("times out every step inside it, and each attempt has its own", async () => {
    const inner = await runScripted({ b: "hang" }, [
      { do: [{ task: "a" }, { task: "b" }, { task: "c" }], timeout: "10ms" },
    ]);
    assert.equal(inner.outcome, "errored");
    assert.deepEqual(inner.trace, ["a started", "a succeeded", "b started", "b errored"]);
    const retried = await runScripted({ step: ["hang", "succeed"] }, [
      { task: "step", timeout: "10ms", attempts: 2 },
    ]);
    assert.equal(retried.outcome, "succeeded");
    assert.deepEqual(retried.trace, ["step started", "step errored", "step started", "step succeeded"]);
  });

  it("an ensure inside a timed-out step still runs, detached from the timeout", async () => {
    const run = await runScripted({ step: "hang" }, [
      { do: [{ task: "step", ensure: { task: "cleanup" } }], timeout: "10ms" },
    ]);
    assert.equal(run.outcome, "errored");
    assert.deepEqual(run.trace, ["step started", "step errored", "cleanup started", "cleanup succeeded"]);
  });

  it("an abort inside a timeout is an abort", async () => {
    const run = await runScripted({ step: "abort" }, [{ task: "step", timeout: "1h" }]);
    assert.equal(run.outcome, "aborted");
    assert.deepEqual(run.trace, ["step started", "step aborted"]);
  });

  it("an invalid duration from a var errors the step", async () => {
    const run = await runScripted({}, [{ task: "step", timeout: "((t))" }], { vars: { t: "soon" } });
    assert.equal(run.outcome, "errored");
    assert.deepEqual(run.trace, []);
    assert.match(logLines(run)[0]!, /^plan\/0: invalid duration "soon"/);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Step } from "../pipeline/index.ts";
import { runScripted } from "./executor.test-support.ts";

const tasks = (...names: string[]): Step[] => names.map((task) => ({ task }));

describe("in_parallel", () => {
  for (const [script, outcome] of [
    [{}, "succeeded"],
    [{ b: "fail" }, "failed"],
    [{ a: "fail", b: "error" }, "errored"],
  ] as const) {
    it(`runs every step and combines their outcomes: ${JSON.stringify(script)} → ${outcome}`, async () => {
      const run = await runScripted(script, [{ in_parallel: tasks("a", "b", "c") }]);
      assert.equal(run.outcome, outcome);
      assert.deepEqual(
        run.trace.filter((line) => line.endsWith("started")),
        ["a started", "b started", "c started"],
      );
      assert.equal(run.runs.length, 3);
    });
  }

  it("runs all at once, or at most `limit` at a time, in order", async () => {
    const script = { a: 5, b: 5, c: 5, d: 5, e: 5 };
    const all = await runScripted(script, [{ in_parallel: tasks("a", "b", "c", "d", "e") }]);
    assert.equal(all.maxConcurrent, 5);
    const limited = await runScripted(script, [
      { in_parallel: { steps: tasks("a", "b", "c", "d", "e"), limit: 2 } },
    ]);
    assert.equal(limited.outcome, "succeeded");
    assert.equal(limited.maxConcurrent, 2);
    assert.deepEqual(
      limited.runs.map((r) => r.name),
      ["a", "b", "c", "d", "e"],
    );
  });

  it("without fail_fast, waits for every step after a failure", async () => {
    const run = await runScripted({ a: 10, b: "fail" }, [{ in_parallel: tasks("a", "b") }]);
    assert.equal(run.outcome, "failed");
    assert.deepEqual(run.trace, ["a started", "b started", "b failed", "a succeeded"]);
  });

  it("fail_fast aborts the running steps (their on_abort runs) and starts no more", async () => {
    const run = await runScripted({ a: "hang", b: "fail" }, [
      {
        in_parallel: {
          steps: [{ task: "a", on_abort: { task: "a-aborted" } }, ...tasks("b", "c")],
          limit: 2,
          fail_fast: true,
        },
      },
    ]);
    assert.equal(run.outcome, "failed");
    assert.deepEqual(run.trace, [
      "a started",
      "b started",
      "b failed",
      "a aborted",
      "a-aborted started",
      "a-aborted succeeded",
    ]);
  });

  it("an abort interrupts every running step and the whole is aborted", async () => {
    const run = await runScripted({ a: "hang", b: "abort" }, [
      { in_parallel: tasks("a", "b") },
      { task: "after" },
    ]);
    assert.equal(run.outcome, "aborted");
    assert.deepEqual(run.trace, ["a started", "b started", "a aborted", "b aborted"]);
  });

  it("an empty in_parallel succeeds", async () => {
    const run = await runScripted({}, [{ in_parallel: [] }]);
    assert.equal(run.outcome, "succeeded");
  });
});

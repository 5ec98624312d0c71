import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runScripted } from "./executor.test-support.ts";

describe("leaf steps", () => {
  it("report their start, their log and their end with outcome and duration", async () => {
    const run = await runScripted({ step: "error" }, [{ task: "step" }]);
    const identity = { origin: "plan/0", step: "task", name: "step" };
    const [started, log, finished, ...rest] = run.events;
    assert.deepEqual(started, { type: "step-started", data: identity });
    assert.deepEqual(log, { type: "log", data: { origin: "plan/0", stream: "stderr", line: "step broke" } });
    assert.equal(finished?.type, "step-finished");
    assert.deepEqual({ ...finished.data, durationMs: 0 }, { ...identity, outcome: "errored", durationMs: 0 });
    assert.ok(finished.data.durationMs >= 0);
    assert.deepEqual(rest, []);
  });

  it("never show a redacted value in their log", async () => {
    const run = await runScripted(
      { "s3cret-name": "error" },
      [{ load_var: "v", file: "out/v" }, { get: "s3cret-name" }],
      {
        files: { "out/v": "s3cret-name" },
      },
    );
    const lines = run.events.flatMap((e) => (e.type === "log" ? [e.data.line] : []));
    assert.deepEqual(lines, ["var v fetched.", "added var v to build.", "((redacted)) broke"]);
  });

  it("are not started once the build is aborted", async () => {
    const build = new AbortController();
    build.abort();
    const run = await runScripted({}, [{ task: "step" }], { signal: build.signal });
    assert.equal(run.outcome, "aborted");
    assert.deepEqual(run.trace, []);
  });
});

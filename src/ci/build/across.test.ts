import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Step } from "../pipeline/index.ts";
import { logLines, runScripted } from "./executor.test-support.ts";

/** A task `t` whose params show the local vars `vars`, across `across` if given. */
const printing = (vars: string[], across?: Step["across"], fail_fast?: boolean): Step => ({
  task: "t",
  config: {
    platform: "linux",
    run: { path: "echo" },
    params: Object.fromEntries(vars.map((v) => [v, `((.:${v}))`])),
  },
  ...(across === undefined ? {} : { across }),
  ...(fail_fast === undefined ? {} : { fail_fast }),
});
const paramsOf = (run: { runs: { config: unknown }[] }) =>
  run.runs.map((r) => (r.config as { config: { params: unknown } }).config.params);

describe("across: combinations and their scopes", () => {
  it("runs the step once per combination of the values, the last var varying fastest", async () => {
    const run = await runScripted({}, [
      printing(
        ["x", "y"],
        [
          { var: "x", values: [1, 2] },
          { var: "y", values: ["a", "b"] },
        ],
      ),
    ]);
    assert.equal(run.outcome, "succeeded");
    assert.deepEqual(paramsOf(run), [
      { x: 1, y: "a" },
      { x: 1, y: "b" },
      { x: 2, y: "a" },
      { x: 2, y: "b" },
    ]);
    assert.deepEqual(
      run.runs.map((r) => r.origin),
      ["plan/0/across/0", "plan/0/across/1", "plan/0/across/2", "plan/0/across/3"],
    );
  });

  it("gives each combination its own scope: it shadows outer local vars, which come back after", async () => {
    const run = await runScripted(
      {},
      [{ load_var: "x", file: "out/x" }, printing(["x"], [{ var: "x", values: ["inner"] }]), printing(["x"])],
      { files: { "out/x": "outer\n" } },
    );
    assert.equal(run.outcome, "succeeded");
    assert.deepEqual(paramsOf(run), [{ x: "inner" }, { x: "outer" }]);
  });

  it("a var of an iteration is gone after the across", async () => {
    const run = await runScripted({}, [
      printing(["x"], [{ var: "x", values: ["v"] }]),
      { task: "after", params: { X: "((.:x))" } },
    ]);
    assert.equal(run.outcome, "errored");
    assert.deepEqual(run.trace.slice(-2), ["after started", "after errored"]);
    assert.match(logLines(run)[0]!, /^plan\/1: undefined vars:\n {2}\(\(\.:x\)\)/);
  });
  it("takes values from a var; values that are not a list error the step", async () => {
    const fromVar = await runScripted({}, [printing(["x"], [{ var: "x", values: "((list))" }])], {
      vars: { list: ["a", "b"] },
    });
    assert.deepEqual(paramsOf(fromVar), [{ x: "a" }, { x: "b" }]);
    const notList = await runScripted({}, [printing(["x"], [{ var: "x", values: "((list))" }])], {
      vars: { list: "a" },
    });
    assert.equal(notList.outcome, "errored");
    assert.deepEqual(logLines(notList), ['plan/0: across var "x": values: expected a list, got a string']);
  });

  it("no values: nothing runs and the step succeeds", async () => {
    const run = await runScripted({}, [printing(["x"], [{ var: "x", values: [] }])]);
    assert.equal(run.outcome, "succeeded");
    assert.deepEqual(run.trace, []);
  });

  it("runs all the attempts of one value before the next value (across ⊃ attempts)", async () => {
    const run = await runScripted({ t: ["fail", "succeed", "fail", "error"] }, [
      { ...printing(["x"], [{ var: "x", values: [1, 2] }]), attempts: 2 },
    ]);
    assert.equal(run.outcome, "errored");
    assert.deepEqual(
      run.runs.map((r) => r.origin),
      [
        "plan/0/across/0/attempt/1",
        "plan/0/across/0/attempt/2",
        "plan/0/across/1/attempt/1",
        "plan/0/across/1/attempt/2",
      ],
    );
    assert.deepEqual(paramsOf(run), [{ x: 1 }, { x: 1 }, { x: 2 }, { x: 2 }]);
  });
});

describe("across: how many run at once, fail_fast and abort", () => {
  for (const [maxInFlight, expected] of [
    [undefined, 1],
    [2, 2],
    ["all", 3],
  ] as const) {
    it(`max_in_flight ${maxInFlight ?? "unset"} runs at most ${expected} at once`, async () => {
      const values = ["a", "b", "c"];
      const across = [
        { var: "x", values, ...(maxInFlight === undefined ? {} : { max_in_flight: maxInFlight }) },
      ];
      const run = await runScripted({ t: 5 }, [printing(["x"], across)]);
      assert.equal(run.outcome, "succeeded");
      assert.equal(run.maxConcurrent, expected);
      assert.deepEqual(
        paramsOf(run),
        values.map((x) => ({ x })),
      );
    });
  }

  it("max_in_flight nests: all of x, each with its values of y one at a time", async () => {
    const run = await runScripted({ t: 5 }, [
      printing(
        ["x", "y"],
        [
          { var: "x", values: [1, 2], max_in_flight: "all" },
          { var: "y", values: [1, 2, 3] },
        ],
      ),
    ]);
    assert.equal(run.runs.length, 6);
    assert.equal(run.maxConcurrent, 2);
  });

  it("fail_fast stops at the first combination that does not succeed", async () => {
    const across = [{ var: "x", values: [1, 2, 3] }];
    const failFast = await runScripted({ t: "fail" }, [printing(["x"], across, true)]);
    assert.equal(failFast.outcome, "failed");
    assert.deepEqual(failFast.trace, ["t started", "t failed"]);
    const all = await runScripted({ t: "fail" }, [printing(["x"], across)]);
    assert.equal(all.outcome, "failed");
    assert.equal(all.runs.length, 3);
  });

  it("an abort interrupts the running combinations and starts no more", async () => {
    const run = await runScripted({ t: ["hang", "abort"] }, [
      printing(["x"], [{ var: "x", values: [1, 2, 3, 4], max_in_flight: 2 }]),
    ]);
    assert.equal(run.outcome, "aborted");
    assert.deepEqual(run.trace, ["t started", "t started", "t aborted", "t aborted"]);
  });
});

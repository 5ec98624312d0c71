import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  condition,
  evaluateExpression,
  ExpressionError,
  interpolate,
  type EvalContext,
} from "./expression.ts";

const ctx: EvalContext = {
  contexts: {
    github: {
      sha: "abc123",
      ref: "refs/heads/master",
      event_name: "push",
      event: { commits: [{ message: "x" }] },
    },
    env: { IMAGE: "demo" },
    matrix: { os: "linux", node: 18 },
    steps: {
      build: { outputs: { tag: "v1" }, outcome: "success" },
      test: { outputs: {}, outcome: "failure" },
    },
    needs: { build: { result: "success", outputs: { digest: "sha256:1" } } },
  },
  status: { failed: false, cancelled: false },
  hashFiles: (patterns) => `hash(${patterns.join("|")})`,
};
const run = (expression: string, over: Partial<EvalContext> = {}) =>
  evaluateExpression(expression, { ...ctx, ...over });

describe("GitHub expressions", () => {
  it("reads contexts case-insensitively, with . [] and the * filter", () => {
    assert.equal(run("github.sha"), "abc123");
    assert.equal(run("GitHub.SHA"), "abc123");
    assert.equal(run("matrix['os']"), "linux");
    assert.equal(run("steps.build.outputs.tag"), "v1");
    assert.equal(run("needs.build.outputs.digest"), "sha256:1");
    assert.deepEqual(run("steps.*.outcome"), ["success", "failure"]);
    assert.equal(run("github.nothing.deeper"), null);
    assert.equal(run("github.event.commits[0].message"), "x");
  });

  it("compares loosely as GitHub does", () => {
    assert.equal(run("github.ref == 'REFS/HEADS/MASTER'"), true);
    assert.equal(run("matrix.node == '18'"), true);
    assert.equal(run("matrix.node >= 16 && matrix.node < 20"), true);
    assert.equal(run("null == 0"), true);
    assert.equal(run("'' == false"), true);
    assert.equal(run("!github.nothing"), true);
    assert.equal(run("github.nothing || 'fallback'"), "fallback");
    assert.equal(run("env.IMAGE && 'yes'"), "yes");
  });

  it("calls the functions", () => {
    assert.equal(run("contains(github.ref, 'heads')"), true);
    assert.equal(run("contains(fromJSON('[\"a\",\"b\"]'), 'B')"), true);
    assert.equal(run("startsWith(github.ref, 'refs/heads/')"), true);
    assert.equal(run("endsWith(github.ref, '/master')"), true);
    assert.equal(run("format('{0}:{1} {{x}}', env.IMAGE, github.sha)"), "demo:abc123 {x}");
    assert.equal(run("join(steps.*.outcome, ', ')"), "success, failure");
    assert.equal(run("toJSON(matrix)"), '{\n  "os": "linux",\n  "node": 18\n}');
    assert.equal(run("fromJSON('{\"a\": 1}').a"), 1);
    assert.equal(run("hashFiles('**/go.sum', 'x')"), "hash(**/go.sum|x)");
    assert.equal(run("failure()", { status: { failed: true, cancelled: false } }), true);
    assert.equal(run("success()", { status: { failed: true, cancelled: false } }), false);
  });

  it("interpolates ${{ }} in text and reads if: conditions", () => {
    assert.equal(interpolate("img:${{ github.sha }}-${{ matrix.node }}", ctx), "img:abc123-18");
    assert.equal(condition(undefined), "success()");
    assert.equal(condition("${{ github.ref == 'x' }}"), "success() && ( github.ref == 'x' )");
    assert.equal(condition("always() && env.X"), "always() && env.X");
  });

  it("refuses malformed expressions", () => {
    assert.throws(() => run("github.sha =="), ExpressionError);
    assert.throws(() => run("nope("), ExpressionError);
    assert.throws(() => run("unknownFn(1)"), /unknown function unknownFn/);
    assert.throws(() => run("'unterminated"), ExpressionError);
  });
});

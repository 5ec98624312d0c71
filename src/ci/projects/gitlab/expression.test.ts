import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExpressionError, parseExpression } from "./expression.ts";

const holds = (expression: string, vars: Record<string, string> = {}) => parseExpression(expression)(vars);

describe("GitLab variable expressions", () => {
  const vars = { CI_COMMIT_BRANCH: "main", CI_PIPELINE_SOURCE: "push", EMPTY: "", PATTERN: "/^ma/" };

  it("compares variables with strings and null", () => {
    assert.equal(holds('$CI_COMMIT_BRANCH == "main"', vars), true);
    assert.equal(holds("$CI_COMMIT_BRANCH != 'main'", vars), false);
    assert.equal(holds("$UNDEFINED == null", vars), true);
    assert.equal(holds("$EMPTY == null", vars), false);
    assert.equal(holds('$EMPTY == ""', vars), true);
    assert.equal(holds("${CI_COMMIT_BRANCH} == $CI_COMMIT_BRANCH", vars), true);
  });

  it("treats a bare variable as true when it is set and not empty", () => {
    assert.equal(holds("$CI_COMMIT_BRANCH", vars), true);
    assert.equal(holds("$EMPTY", vars), false);
    assert.equal(holds("$UNDEFINED", vars), false);
  });

  it("matches regular expressions, given literally or by a variable", () => {
    assert.equal(holds("$CI_COMMIT_BRANCH =~ /^ma/", vars), true);
    assert.equal(holds("$CI_COMMIT_BRANCH =~ /^MA/i", vars), true);
    assert.equal(holds("$CI_COMMIT_BRANCH !~ /^release/", vars), true);
    assert.equal(holds("$CI_COMMIT_BRANCH =~ $PATTERN", vars), true);
    assert.equal(holds("$UNDEFINED =~ /x/", vars), false);
  });

  it("binds && tighter than || and honours parentheses", () => {
    assert.equal(holds('$A == "1" || $B == "1" && $C == "1"', { A: "1" }), true);
    assert.equal(holds('($A == "1" || $B == "1") && $C == "1"', { A: "1" }), false);
    assert.equal(holds('$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH == "main"', vars), true);
  });

  it("refuses malformed expressions with the text", () => {
    assert.throws(() => parseExpression('$A == "1" &&'), ExpressionError);
    assert.throws(() => parseExpression('$A == "unterminated'), /unterminated string/);
    assert.throws(() => parseExpression("$A =~ /(/"), ExpressionError);
    assert.throws(() => parseExpression("($A"), /missing \)/);
    assert.throws(() => parseExpression("$A = 1"), /unexpected/);
  });
});

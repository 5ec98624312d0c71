import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { EnvsubstError, VariableNotSetError, envsubst, globRegExp } from "./envsubst.ts";

function expand(text: string, vars: Record<string, string> = {}, strict = false): string {
  return envsubst(text, (name) => (Object.hasOwn(vars, name) ? vars[name] : undefined), { strict });
}

describe("envsubst", () => {
  it("expands ${var} and leaves $var and other text alone", () => {
    assert.equal(expand("a ${x} b", { x: "1" }), "a 1 b");
    assert.equal(expand("echo $x ${x}$x", { x: "1" }), "echo $x 1$x");
    assert.equal(expand("no variables: {x} $ } {"), "no variables: {x} $ } {");
    assert.equal(expand("${x}${y}", { x: "a", y: "b" }), "ab");
    assert.equal(expand("${ünïcode_1}", { ünïcode_1: "ok" }), "ok");
  });

  it("expands undefined variables to the empty string unless strict", () => {
    assert.equal(expand("[${missing}]"), "[]");
    assert.throws(
      () => expand("[${missing}]", {}, true),
      (err) => err instanceof VariableNotSetError && err.variable === "missing",
    );
    assert.throws(() => expand("${#missing}", {}, true), VariableNotSetError);
    assert.throws(() => expand("${missing^^}", {}, true), VariableNotSetError);
    assert.equal(expand("${defined}", { defined: "" }, true), "");
  });

  it("uses defaults when the variable is unset or empty", () => {
    for (const operator of [":=", ":-", "="]) {
      assert.equal(expand(`\${x${operator}dflt}`), "dflt", operator);
      assert.equal(expand(`\${x${operator}dflt}`, {}, true), "dflt", `${operator} strict`);
      assert.equal(expand(`\${x${operator}dflt}`, { x: "" }), "dflt", `${operator} empty`);
      assert.equal(expand(`\${x${operator}dflt}`, { x: "set" }), "set", `${operator} set`);
    }
    assert.equal(expand("${x:=a b: c}"), "a b: c");
    assert.equal(expand("${x:=}"), "");
    assert.equal(expand("${x:=${y}-suffix}", { y: "from-y" }), "from-y-suffix");
    assert.equal(expand("${x:=pre${y}post}", { y: "Y" }), "preYpost");
    assert.equal(expand("${x=${y^^}}", { y: "up" }), "UP");
  });

  it("turns $${ into a literal ${ and $$ into $", () => {
    assert.equal(expand("$${x}", { x: "1" }), "${x}");
    assert.equal(expand("$${x:=d}"), "${x:=d}");
    assert.equal(expand("cost: $$5"), "cost: $5");
    assert.equal(expand("a ${x}$${y$${x}$x${x}", { x: "1" }), "a 1${y${x}$x1");
    assert.equal(expand("$${x=${y}}", { y: "v" }), "${x=v}");
  });
});

describe("envsubst functions", () => {
  it("implements the bash string functions", () => {
    const vars = { s: "abcdEFGH28ij", p: "/home/bozo/ideas/thoughts.for.today", f: "bash.string.txt" };
    const cases: Array<[string, string]> = [
      ["${#s}", "12"],
      ["${s^}", "AbcdEFGH28ij"],
      ["${s^^}", "ABCDEFGH28IJ"],
      ["${s,}", "abcdEFGH28ij"],
      ["${s,,}", "abcdefgh28ij"],
      ["${p:11}", "ideas/thoughts.for.today"],
      ["${p:11:5}", "ideas"],
      ["${p:-5}", "/home/bozo/ideas/thoughts.for.today"],
      ["${s:1:-1}", "bcdEFGH28i"],
      ["${s:100}", ""],
      ["${f#*.}", "string.txt"],
      ["${f##*.}", "txt"],
      ["${f%.*}", "bash.string"],
      ["${f%%.*}", "bash"],
      ["${p##*/}", "thoughts.for.today"],
      ["${p#*/}", "home/bozo/ideas/thoughts.for.today"],
      ["${f#x*}", "bash.string.txt"],
      ["${s/cd/XY}", "abXYEFGH28ij"],
      ["${f//./-}", "bash-string-txt"],
      ["${f/./}", "bashstring.txt"],
      ["${f/#bash/sh}", "sh.string.txt"],
      ["${f/%txt/md}", "bash.string.md"],
      ["${f/#/pre-}", "pre-bash.string.txt"],
      ["${f/%/-post}", "bash.string.txt-post"],
      ["${p//\\//:}", ":home:bozo:ideas:thoughts.for.today"],
    ];
    for (const [input, output] of cases) assert.equal(expand(input, vars), output, input);
  });

  it("fails on malformed expressions, naming the expression", () => {
    for (const [input, message] of [
      ["a ${x", "missing closing brace"],
      ["${x-default}", "missing closing brace"],
      ["${@}", "unable to parse variable name"],
      ["${}", "unable to parse variable name"],
      ["${x:=unclosed", "unable to parse substitution within function"],
      ["${#}", "bad substitution"],
      ["${x^^x}", "bad substitution"],
    ] as const) {
      assert.throws(
        () => expand(input, { x: "1" }),
        (err) => err instanceof EnvsubstError && err.message === message && err.expression.startsWith("${"),
        input,
      );
    }
  });
});

describe("globRegExp", () => {
  it("matches *, ? and classes across slashes and rejects malformed globs", () => {
    assert.ok(globRegExp("*.yaml")?.test("a/b.yaml"));
    assert.ok(globRegExp("v?.[0-9]")?.test("v1.2"));
    assert.ok(!globRegExp("[^a]")?.test("a"));
    assert.ok(globRegExp("a\\*")?.test("a*"));
    assert.equal(globRegExp("[abc"), undefined);
    assert.equal(globRegExp("abc\\"), undefined);
  });
});

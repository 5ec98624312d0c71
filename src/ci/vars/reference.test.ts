import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  findVarOccurrences,
  formatVarRef,
  InvalidVarRefError,
  isWholeReference,
  parseVarRef,
  type VarRef,
} from "./reference.ts";

const ref = (path: string, fields: string[] = [], source = ""): VarRef => ({ source, path, fields });

describe("parsing var references (Concourse's ParseReference)", () => {
  const cases: [text: string, expected: VarRef][] = [
    ["hello", ref("hello")],
    ["hello.a.b", ref("hello", ["a", "b"])],
    ['"hello.world"."a.b"."foo:bar"', ref("hello.world", ["a.b", "foo:bar"])],
    ["source:hello", ref("hello", [], "source")],
    ["vault:git.username", ref("git", ["username"], "vault")],
    ['"my:path"."field.1"', ref("my:path", ["field.1"])],
    [".:local", ref("local", [], ".")],
    [".:local.field", ref("local", ["field"], ".")],
    ["hello .world ", ref("hello", ["world"])],
    ['" hello "."world "', ref(" hello ", ["world "])],
    ["a:b:c", ref("b:c", [], "a")],
    ["/key/foo", ref("/key/foo")],
    ["Ω", ref("Ω")],
  ];
  for (const [text, expected] of cases) {
    it(`((${text}))`, () => assert.deepEqual(parseVarRef(text), expected));
  }

  const invalid: [text: string, problem: string][] = [
    ['"some-source":path', "the var source must not be quoted"],
    ["vault:.field", "empty field"],
    ['vault:"".field', "empty field"],
    ["vault:", "empty field"],
    ["a..b", "empty field"],
  ];
  for (const [text, problem] of invalid) {
    it(`((${text})) is invalid: ${problem}`, () => {
      assert.throws(
        () => parseVarRef(text, "jobs[0].plan[1]"),
        (err: unknown) =>
          err instanceof InvalidVarRefError &&
          err.message === `invalid var ((${text})) at jobs[0].plan[1]: ${problem}`,
      );
    });
  }
});

describe("formatting var references", () => {
  it("quotes segments with special characters and keeps the source", () => {
    assert.equal(formatVarRef(ref("hello", ["a", "b"])), "hello.a.b");
    assert.equal(
      formatVarRef(ref("hello.world", ["a", "foo:bar", "other field"])),
      '"hello.world".a."foo:bar"."other field"',
    );
    assert.equal(formatVarRef(ref("hello", [], "source")), "source:hello");
  });

  it("quotes without escaping, so a backslash reads back as itself (found by fuzzing)", () => {
    const withBackslash = ref("*", ["\\ *"]);
    assert.equal(formatVarRef(withBackslash), '*."\\ *"');
    assert.deepEqual(parseVarRef(formatVarRef(withBackslash)), withBackslash);
  });
});

describe("finding references in text", () => {
  const cases: [text: string, found: string[]][] = [
    ["((a)) and ((b.c)) and ((d:e))", ["a", "b.c", "d:e"]],
    ["(( x ))", []],
    ["((x ))", []],
    ["(()", []],
    ["(((x)))", ["x"]],
    ['(("a b".c))', []],
    ['((foo:"with.dot:colon".buzz))', ['foo:"with.dot:colon".buzz']],
    ['(("foo/bar/me.com-test@me.com/password"))', ['"foo/bar/me.com-test@me.com/password"']],
    ["nats://nats:((password))@((ip)):4222", ["password", "ip"]],
  ];
  for (const [text, found] of cases) {
    it(JSON.stringify(text), () =>
      assert.deepEqual(
        findVarOccurrences(text).map((o) => o.text),
        found,
      ),
    );
  }

  it("knows a string that is exactly one reference", () => {
    assert.equal(isWholeReference("((a.b))"), true);
    assert.equal(isWholeReference(" ((a))"), false);
    assert.equal(isWholeReference("((a))((b))"), false);
    assert.equal(isWholeReference("(( a ))"), false);
  });
});

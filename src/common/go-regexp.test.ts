import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileGoRegexp, ExpandTemplate, GoRegexpError } from "./go-regexp.ts";

function matchSpan(pattern: string, input: string): [number, number] | undefined {
  const match = compileGoRegexp(pattern).exec(input);
  return match ? [match.index!, match.index! + match[0].length] : undefined;
}

describe("Go regular expressions on RE2", () => {
  const matches: [go: string, accepted: string, refused: string][] = [
    ["^main-(?P<ts>[0-9]+)$", "main-12", "main-x"],
    ["^(?<ts>\\d+)$", "42", "4a"],
    ["(?i)^rc", "RC1", "1rc"],
    ["(?is)a.b", "A\nB", "ab"],
    ["(?i:main)-x", "MAIN-x", "main-X"],
    ["a(?i)b", "aB", "Ab"],
    ["^[[:digit:]]+$", "123", "12a"],
    ["^[^[:alpha:]_]$", "1", "_"],
    ["^[[:^alpha:]]$", "1", "a"],
    ["^[]a]$", "]", "b"],
    ["\\Av1\\z", "v1", "v1\n"],
    ["^\\Q1.0+\\E$", "1.0+", "100"],
    ["^\\pL+$", "héllo", "h3"],
    ["^\\p{Greek}$", "λ", "l"],
    ["^\\x{41}$", "A", "a"],
    ["(?U)^a+", "a", ""],
  ];
  for (const [go, accepted, refused] of matches) {
    it(`matches ${go} as RE2 does`, () => {
      const re = compileGoRegexp(go);
      assert.ok(re.test(accepted), accepted);
      assert.ok(!re.test(refused), refused);
    });
  }

  it("(?U) makes repetition lazy", () => {
    assert.equal(compileGoRegexp("(?U)a+").exec("aaa")?.[0], "a");
  });

  const refused: [string, RegExp][] = [
    ["a(?=b)", /invalid or unsupported Perl syntax: `\(\?=`/],
    ["(?<!a)b", /invalid named capture/],
    ["(a)\\1", /invalid escape sequence: `\\1`/],
    ["(?P<a-b>x)", /invalid named capture/],
    ["[a", /missing closing \]/],
    ["(a", /missing closing \)/],
    ["a**", /invalid nested repetition operator/],
  ];
  for (const [go, message] of refused) {
    it(`refuses ${go} as RE2 does`, () => {
      assert.throws(
        () => compileGoRegexp(go),
        (error: unknown) => {
          assert.ok(error instanceof GoRegexpError);
          assert.match(error.message, message);
          assert.ok(error.message.includes(JSON.stringify(go)), error.message);
          return true;
        },
      );
    });
  }

  it("runs a catastrophic-backtracking pattern in linear time", () => {
    const re = compileGoRegexp("^(a+)+$");
    re.test("warm up");
    const started = performance.now();
    assert.equal(re.test(`${"a".repeat(28)}!`), false);
    assert.equal(re.test("a".repeat(10_000)), true);
    assert.ok(performance.now() - started < 100, "took longer than 100 ms");
  });

  it("repeats what may match empty as Go does, where JavaScript's engine differs (found by fuzzing)", () => {
    // as Go 1.26 regexp.FindStringIndex answers
    assert.deepEqual(matchSpan("(?:x*?a*)?a*", "x"), [0, 0]);
    assert.deepEqual(matchSpan("(?:((?:(\\da)*?)))+", "1a"), [0, 0]);
  });
});

describe("Go regular expressions: FindAll, ReplaceAll, Split", () => {
  it("finds, replaces and splits as Go's FindAll, ReplaceAll and Split", () => {
    const re = compileGoRegexp("x*");
    assert.deepEqual(
      [...re.matchAll("axbc")].map((m) => [m.index, m[0]]),
      [
        [0, ""],
        [1, "x"],
        [3, ""],
        [4, ""],
      ],
    );
    assert.equal(
      re.replaceAll("axbc", () => "-"),
      "-a-b-c-",
    );
    assert.deepEqual(re.split("axbc", -1), ["a", "b", "c"]);
    assert.deepEqual(compileGoRegexp(",").split("a,b,,c", 2), ["a", "b,,c"]);
    assert.deepEqual(compileGoRegexp(",").split("a,b", 0), []);
    assert.deepEqual(compileGoRegexp(",").split("", -1), [""]);
  });
});

describe("Expand templates", () => {
  const expand = (pattern: string, template: string, input: string) => {
    const re = compileGoRegexp(pattern);
    const match = re.exec(input);
    assert.ok(match);
    return new ExpandTemplate(template, re).expand(match);
  };

  it("expands $name, ${name}, $1, $0 and $$", () => {
    assert.equal(expand("^(?P<b>[a-z]+)-(?P<n>\\d+)$", "$n", "main-42"), "42");
    assert.equal(expand("^(?P<b>[a-z]+)-(?P<n>\\d+)$", "${n}x", "main-42"), "42x");
    assert.equal(expand("^([a-z]+)-(\\d+)$", "$2.$1", "main-42"), "42.main");
    assert.equal(expand("-(\\d+)", "$0", "main-42"), "-42");
    assert.equal(expand("(\\d+)", "$$$1", "v7"), "$7");
  });

  it("keeps a $ that is not followed by a name, and expands an unmatched group to nothing", () => {
    assert.equal(expand("(\\d+)", "$-$1", "7"), "$-7");
    assert.equal(expand("(\\d+)", "${1", "7"), "${1");
    assert.equal(expand("^(a)?(\\d)$", "[$1]$2", "7"), "[]7");
  });

  it("refuses references to groups the pattern does not have", () => {
    const re = compileGoRegexp("^(?P<ts>\\d+)$");
    assert.throws(() => new ExpandTemplate("$tz", re), /groups are ts/);
    assert.throws(() => new ExpandTemplate("$2", re), /has 1 group/);
    assert.throws(() => new ExpandTemplate("$01", re), /\$01/);
    assert.throws(() => new ExpandTemplate("$1", compileGoRegexp("^v")), /has 0 group/);
  });
});

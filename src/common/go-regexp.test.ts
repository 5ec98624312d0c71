import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileGoRegexp, ExpandTemplate, GoRegexpError, translateGoRegexp } from "./go-regexp.ts";

describe("Go regular expressions on JavaScript", () => {
  const translations: [go: string, source: string, flags: string][] = [
    ["^main-(?P<ts>[0-9]+)$", "^main-(?<ts>[0-9]+)$", ""],
    ["^(?<ts>\\d+)$", "^(?<ts>\\d+)$", ""],
    ["(?i)^rc", "^rc", "i"],
    ["(?is)a.b", "a.b", "is"],
    ["(?i:main)-x", "(?i:main)-x", ""],
    ["[[:digit:]]+", "[0-9]+", ""],
    ["[^[:alpha:]_]", "[^A-Za-z_]", ""],
    ["[]a]", "[\\]a]", ""],
    ["\\Av1\\z", "(?<![\\s\\S])v1(?![\\s\\S])", ""],
    ["\\Q1.0+\\E$", "1\\.0\\+$", ""],
    ["\\pL+", "\\p{L}+", "u"],
    ["\\p{Greek}", "\\p{Script=Greek}", "u"],
    ["\\x{41}", "\\u{41}", "u"],
  ];
  for (const [go, source, flags] of translations) {
    it(`translates ${go}`, () => {
      assert.deepEqual(translateGoRegexp(go), { source, flags });
      compileGoRegexp(go);
    });
  }

  const refused: [string, RegExp][] = [
    ["a(?=b)", /invalid or unsupported Perl syntax: `\(\?=`/],
    ["(?<!a)b", /invalid or unsupported Perl syntax/],
    ["(a)\\1", /invalid escape sequence: `\\1`/],
    ["a(?i)b", /only supported at the start/],
    ["(?U)a+", /unsupported flag "U"/],
    ["[[:^alpha:]]", /negated POSIX class/],
    ["[a", /missing closing \]/],
    ["(a", /Unterminated group/],
    ["a**", /Nothing to repeat/],
  ];
  for (const [go, message] of refused) {
    it(`refuses ${go} as RE2 does`, () => {
      assert.throws(
        () => compileGoRegexp(go),
        (error: unknown) => {
          assert.ok(error instanceof GoRegexpError);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it("a POSIX class matches like RE2's", () => {
    const re = compileGoRegexp("^[[:alnum:]_.-]+$");
    assert.ok(re.test("v1.2_3-rc"));
    assert.ok(!re.test("v1/2"));
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

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareByteOrder } from "../common/byte-order.ts";
import {
  compilePolicy,
  InvalidPolicyError,
  parseNumber,
  selectTag,
  type PolicyChoice,
  type TagFilter,
} from "./policy.ts";

const releases = [
  "0.0.1",
  "0.0.7",
  "v0.0.9",
  "0.1.0",
  "v1.0.0",
  "1.0.5",
  "v1.0.9",
  "1.0.10-rc.1",
  "1.1.0",
  "v1.9.3",
  "2.0.0",
  "v2.1.0-rc.1",
  "1.2",
  "01.2.3",
  "latest",
  "main-abc1234",
];

describe("semver policy", () => {
  const cases: [range: string, expected: string | undefined][] = [
    // the ranges published guides use
    ["0.0.x", "v0.0.9"],
    ["^v1.0.0", "v1.9.3"],
    ["~1.0", "v1.0.9"],
    [">=1.0.0 <2.0.0", "v1.9.3"],
    [">=1.0.0", "2.0.0"],
    ["5.1.x", undefined],
    ["1.0.x", "v1.0.9"],
    ["*", "2.0.0"],
    // pre-releases only when the range asks for them, then of any version
    [">=1.0.0-0", "v2.1.0-rc.1"],
    ["~1.0.0-0", "1.0.10-rc.1"],
    [">=1.0.0-0 <2.0.0", "v1.9.3"],
    [">=1.0.0-0 <1.0.10", "1.0.10-rc.1"],
    ["<1.0.0 || >=2.0.0-0", "v2.1.0-rc.1"],
  ];
  for (const [range, expected] of cases) {
    it(`${range} selects ${expected ?? "nothing"}`, () => {
      assert.equal(selectTag(releases, { semver: { range } })?.tag, expected);
    });
  }

  it("reads tags strictly: 1.2 and 01.2.3 are not versions", () => {
    assert.equal(selectTag(["1.2", "01.2.3", "1.1.0"], { semver: { range: ">=1.0.0" } })?.tag, "1.1.0");
  });

  it("breaks ties between equal versions by byte order, whatever the input order", () => {
    const policy = { semver: { range: "*" } };
    assert.equal(selectTag(["v1.0.0", "1.0.0"], policy)?.tag, "1.0.0");
    assert.equal(selectTag(["1.0.0", "v1.0.0"], policy)?.tag, "1.0.0");
    assert.equal(selectTag(["1.0.0+b", "1.0.0+a"], policy)?.tag, "1.0.0+a");
  });

  it("evaluates a catastrophic-backtracking filter ^(a+)+$ in linear time", () => {
    const hostile = `${"a".repeat(28)}!`;
    const filter = { pattern: "^(a+)+$" };
    const started = performance.now();
    const selected = selectTag([hostile, "aaa"], { alphabetical: {} }, filter);
    assert.deepEqual(selected, { tag: "aaa" });
    assert.ok(performance.now() - started < 200, "the filter held the event loop");
  });

  it("selects the latest release candidate as in the Flux guide (pattern .*-rc.*, range ^1.x-0)", () => {
    const tags = ["1.2.0-rc.1", "1.3.0-rc.2", "1.3.0", "2.0.0-rc.1", "1.3.0-rc.1"];
    const selected = selectTag(tags, { semver: { range: "^1.x-0" } }, { pattern: ".*-rc.*" });
    assert.deepEqual(selected, { tag: "1.3.0-rc.2" });
  });

  it("applies the range to the extracted value and returns the original tag", () => {
    const tags = ["app-v1.2.3", "app-v1.10.0", "app-v2.0.0", "other-v9.9.9"];
    const filter = { pattern: "^app-(?P<version>v.*)$", extract: "$version" };
    assert.deepEqual(selectTag(tags, { semver: { range: "^1.0.0" } }, filter), {
      tag: "app-v1.10.0",
      extracted: "v1.10.0",
    });
  });
});

describe("numerical policy", () => {
  const timestamps = [
    "main-abc1234-1700000000",
    "main-def4567-1700000500",
    "main-0a1b2c3-1699999999",
    "feature-x-1800000000",
    "main-zzz-notanumber",
    "latest",
  ];
  const filters: TagFilter[] = [
    { pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)", extract: "$ts" },
    { pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)", extract: "${ts}" },
    { pattern: "^main-[a-f0-9]+-([0-9]+)$", extract: "$1" },
  ];
  for (const filter of filters) {
    it(`orders the timestamp extracted by ${filter.extract}`, () => {
      assert.deepEqual(selectTag(timestamps, { numerical: { order: "asc" } }, filter), {
        tag: "main-def4567-1700000500",
        extracted: "1700000500",
      });
      assert.deepEqual(selectTag(timestamps, { numerical: { order: "desc" } }, filter), {
        tag: "main-0a1b2c3-1699999999",
        extracted: "1699999999",
      });
    });
  }

  it("drops tags that are not numbers; asc is the default; order is case-insensitive", () => {
    const tags = ["1", "10", "9", "abc", "2.5", "-3", "1e3", "0x10", "1_000", "", "Infinity", "1e400"];
    assert.equal(selectTag(tags, { numerical: {} })?.tag, "1e3");
    assert.equal(selectTag(tags, { numerical: { order: "DESC" } })?.tag, "-3");
  });

  it("on equal numbers selects the value last in byte order (Flux keeps the last of a sorted list)", () => {
    assert.equal(selectTag(["1.0", "1", "01"], { numerical: {} })?.tag, "1.0");
    assert.equal(selectTag(["01", "1", "1.0"], { numerical: { order: "desc" } })?.tag, "1.0");
  });

  it("when two tags extract the same value, the later tag wins (as Flux's map does)", () => {
    const filter = { pattern: "-(\\d+)$", extract: "$1" };
    assert.equal(selectTag(["a-1", "b-1"], { numerical: {} }, filter)?.tag, "b-1");
    assert.equal(selectTag(["b-1", "a-1"], { numerical: {} }, filter)?.tag, "a-1");
  });
});

describe("alphabetical policy", () => {
  const rfc3339 = [
    "2024-01-05T10-00-00Z",
    "2024-11-30T23-59-59Z",
    "2024-02-01T00-00-00Z",
    "2023-12-31T23-59-59Z",
  ];
  it("asc selects the last tag, desc the first", () => {
    assert.equal(selectTag(rfc3339, { alphabetical: { order: "asc" } })?.tag, "2024-11-30T23-59-59Z");
    assert.equal(selectTag(rfc3339, { alphabetical: {} })?.tag, "2024-11-30T23-59-59Z");
    assert.equal(selectTag(rfc3339, { alphabetical: { order: "desc" } })?.tag, "2023-12-31T23-59-59Z");
  });

  it("selects the latest RELEASE.<timestamp> tag as in the Flux guide", () => {
    const tags = [
      "RELEASE.2023-01-31T02-24-19Z",
      "RELEASE.2023-03-20T20-16-18Z",
      "RELEASE.2023-02-09T05-16-53Z",
      "RELEASE.2023-03-20T20-16-18Z.fips",
      "latest",
    ];
    const filter = { pattern: "^RELEASE\\.(?P<timestamp>.*)Z$", extract: "$timestamp" };
    assert.deepEqual(selectTag(tags, { alphabetical: { order: "asc" } }, filter), {
      tag: "RELEASE.2023-03-20T20-16-18Z",
      extracted: "2023-03-20T20-16-18",
    });
  });

  it("compares bytes, not locale: upper case sorts before lower case", () => {
    assert.equal(selectTag(["b", "B", "a", "Z"], { alphabetical: {} })?.tag, "b");
    assert.ok(compareByteOrder("\u{1F600}", "\uFFFD") > 0, "a code point above U+FFFF sorts after U+FFFD");
  });
});

describe("filterTags", () => {
  it("a filter that matches nothing selects nothing", () => {
    assert.equal(selectTag(releases, { semver: { range: "*" } }, { pattern: "^release-" }), undefined);
    assert.equal(selectTag([], { alphabetical: {} }), undefined);
  });

  it("searches the pattern anywhere in the tag, as Go's FindStringSubmatch does", () => {
    assert.equal(
      selectTag(["1.0.0", "1.1.0-rc.1"], { alphabetical: {} }, { pattern: "rc" })?.tag,
      "1.1.0-rc.1",
    );
  });

  it("honours a leading (?i) flag and an empty extract means no extraction", () => {
    const selected = selectTag(
      ["Main-2", "main-1", "dev-9"],
      { alphabetical: {} },
      { pattern: "(?i)^main-", extract: "" },
    );
    assert.deepEqual(selected, { tag: "main-1" });
  });
});

describe("invalid policies", () => {
  const cases: [string, PolicyChoice, TagFilter | undefined, string, RegExp][] = [
    [
      "a range that does not parse",
      { semver: { range: "not-a-range" } },
      undefined,
      "SemverRange",
      /improper constraint/,
    ],
    ["an empty range", { semver: { range: "" } }, undefined, "SemverRange", /semver range ""/],
    [
      "a pattern that does not compile",
      { alphabetical: {} },
      { pattern: "main-(" },
      "FilterPattern",
      /missing closing \)/,
    ],
    [
      "a lookahead RE2 refuses",
      { alphabetical: {} },
      { pattern: "^v(?=1)" },
      "FilterPattern",
      /unsupported Perl syntax/,
    ],
    [
      "a missing named group",
      { numerical: {} },
      { pattern: "^main-(?P<ts>\\d+)$", extract: "$timestamp" },
      "ExtractTemplate",
      /groups are ts/,
    ],
    [
      "a group number out of range",
      { numerical: {} },
      { pattern: "^main-(\\d+)$", extract: "$2" },
      "ExtractTemplate",
      /has 1 group/,
    ],
    [
      "Go's longest-name rule ($1x is group 1x)",
      { numerical: {} },
      { pattern: "^(\\d+)$", extract: "$1x" },
      "ExtractTemplate",
      /\$1x/,
    ],
    [
      "an unknown order",
      { alphabetical: { order: "up" } },
      undefined,
      "Order",
      /"up" is not one of asc, desc/,
    ],
    ["no policy at all", {}, undefined, "NoPolicy", /one of semver, alphabetical or numerical/],
  ];
  for (const [name, policy, filter, problem, message] of cases) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => compilePolicy(policy, filter),
        (error: unknown) => {
          assert.ok(error instanceof InvalidPolicyError);
          assert.equal(error.reason, "InvalidPolicy");
          assert.equal(error.problem, problem);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

it("parseNumber reads what Go's ParseFloat reads in decimal", () => {
  assert.equal(parseNumber("1700000000"), 1_700_000_000);
  assert.equal(parseNumber("-2.5e-3"), -0.0025);
  assert.equal(parseNumber(".5"), 0.5);
  assert.equal(parseNumber("5."), 5);
  for (const text of ["", " 1", "1 ", "0x10", "1_000", "1e", "abc", "NaN"])
    assert.equal(parseNumber(text), undefined, text);
});

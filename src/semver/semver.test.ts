import assert from "node:assert/strict";
import { test } from "node:test";
import { highestMatching, parseConstraint } from "./constraint.ts";
import { compareVersions, parseVersion } from "./version.ts";

const matches = (range: string, v: string) => parseConstraint(range).matches(parseVersion(v)!);

test("versions parse leniently and order by semver precedence", () => {
  assert.deepEqual(parseVersion("v1.2")?.patch, 0);
  assert.equal(parseVersion("1.2.3.4"), undefined);
  assert.equal(parseVersion("latest"), undefined);
  const sorted = [
    "1.0.0",
    "1.0.0-rc.1",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-beta.11",
    "1.0.0-beta.2",
    "0.9.9",
  ]
    .map((s) => parseVersion(s)!)
    .sort(compareVersions)
    .map((v) => v.original);
  assert.deepEqual(sorted, [
    "0.9.9",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
  ]);
});

test("ranges Flux users write", () => {
  const cases: [string, string, boolean][] = [
    ["0.0.x", "0.0.7", true],
    ["0.0.x", "0.1.0", false],
    ["^v1.0.0", "v1.9.3", true],
    ["^v1.0.0", "2.0.0", false],
    ["^0.2.3", "0.2.9", true],
    ["^0.2.3", "0.3.0", false],
    ["~1.0", "1.0.9", true],
    ["~1.0", "1.1.0", false],
    ["~1", "1.9.0", true],
    [">=1.0.0 <2.0.0", "1.5.0", true],
    [">=1.0.0 <2.0.0", "2.0.0", false],
    [">=1.0.0, <2.0.0", "0.9.0", false],
    ["1.2 - 1.4.5", "1.4.5", true],
    ["1.2 - 1.4.5", "1.4.6", false],
    ["<1.0.0 || >=3", "3.1.0", true],
    ["<1.0.0 || >=3", "2.0.0", false],
    ["*", "9.9.9", true],
    ["!=1.2.3", "1.2.3", false],
    ["!=1.2.3", "1.2.4", true],
    [">1.2", "1.2.9", false],
    [">1.2", "1.3.0", true],
    ["<=1.2", "1.2.9", true],
    ["<=1.2", "1.3.0", false],
    ["1.2.3", "1.2.3", true],
    ["= 1.2.3", "1.2.4", false],
  ];
  for (const [range, v, expected] of cases) assert.equal(matches(range, v), expected, `${range} vs ${v}`);
});

test("pre-releases match only ranges that name one of the same version", () => {
  assert.equal(matches(">=1.0.0", "1.1.0-rc.1"), false);
  assert.equal(matches(">=1.1.0-rc.0", "1.1.0-rc.1"), true);
  assert.equal(matches(">=1.1.0-rc.0", "1.2.0-rc.1"), false);
});

test("invalid ranges are reported with the range text", () => {
  for (const bad of ["", "abc", ">>1", "1.2.3.4", "!=1.x"]) {
    assert.throws(
      () => parseConstraint(bad),
      (e: Error) => e.message.includes(`"${bad}"`),
      bad,
    );
  }
});

test("highestMatching picks the newest tag in range and ignores non-versions", () => {
  const tags = ["v1.0.0", "v1.2.0", "v2.0.0", "latest", "v1.10.1", "v1.11.0-rc.1"];
  assert.equal(highestMatching(parseConstraint("^1.0"), tags)?.original, "v1.10.1");
  assert.equal(highestMatching(parseConstraint(">=5"), tags), undefined);
});

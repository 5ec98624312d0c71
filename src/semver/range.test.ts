import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseFluxRange, parseStrictVersion, SemverRangeError } from "./range.ts";

describe("strict tag versions (Flux's version.ParseVersion)", () => {
  const cases: [string, boolean][] = [
    ["1.2.3", true],
    ["v1.2.3", true],
    ["1.2.3-rc.1+build.5", true],
    ["0.0.0", true],
    ["1.2", false],
    ["v1", false],
    ["01.2.3", false],
    ["1.2.3-01", false],
    ["vv1.2.3", false],
    ["V1.2.3", false],
    ["1.2.3.4", false],
    [" 1.2.3", false],
    ["latest", false],
  ];
  for (const [text, valid] of cases) {
    it(`${JSON.stringify(text)} is ${valid ? "" : "not "}a version`, () => {
      assert.equal(parseStrictVersion(text) !== undefined, valid);
    });
  }
});

describe("ranges as Masterminds semver v3.4 reads them", () => {
  const cases: [range: string, version: string, matches: boolean][] = [
    ["1.2.3", "1.2.3", true],
    ["=1.2.3", "1.2.4", false],
    ["v1.2.3", "1.2.3", true],
    ["1.2.x", "1.2.9", true],
    ["1.2.x", "1.3.0", false],
    ["1.2", "1.2.9", true],
    ["0.0.x", "0.0.7", true],
    ["0.0.x", "0.1.0", false],
    ["*", "9.9.9", true],
    ["*", "1.0.0-rc.1", false],
    ["~1.2.3", "1.2.9", true],
    ["~1.2.3", "1.3.0", false],
    ["~1", "1.9.0", true],
    ["~1", "2.0.0", false],
    ["~1.0", "1.0.9", true],
    ["~1.0", "1.1.0", false],
    ["~>1.2", "1.2.5", true],
    ["^v1.0.0", "v1.9.3", true],
    ["^v1.0.0", "2.0.0", false],
    ["^1.2", "1.9.0", true],
    ["^0.2.3", "0.2.9", true],
    ["^0.2.3", "0.3.0", false],
    ["^0.0.3", "0.0.3", true],
    ["^0.0.3", "0.0.4", false],
    ["^0.0", "0.0.9", true],
    ["^0.0", "0.1.0", false],
    ["^0", "0.9.9", true],
    ["^0", "1.0.0", false],
    [">=1.0.0 <2.0.0", "1.5.0", true],
    [">=1.0.0 <2.0.0", "2.0.0", false],
    [">= 1.0.0, < 2.0.0", "0.9.0", false],
    ["  >=1.0.0,<2.0.0  ", "1.0.0", true],
    ["1.2 - 1.4.5", "1.2.0", true],
    ["1.2 - 1.4.5", "1.4.5", true],
    ["1.2 - 1.4.5", "1.4.6", false],
    [">1.2", "1.2.9", false],
    [">1.2", "1.3.0", true],
    [">1", "1.9.0", false],
    [">1", "2.0.0", true],
    ["<=1.2", "1.2.9", true],
    ["<=1.2", "1.3.0", false],
    ["<1.2", "1.1.9", true],
    ["<1.2", "1.2.0", false],
    ["!=1.2.3", "1.2.3", false],
    ["!=1.2.3", "1.2.4", true],
    ["!=4.x", "4.1.0", false],
    ["!=4.x", "5.0.0", true],
    ["!=4.1.x", "4.1.7", false],
    ["!=4.1.x", "4.2.0", true],
    ["<1.0.0 || >=3", "3.1.0", true],
    ["<1.0.0 || >=3", "2.0.0", false],
    // pre-releases: only when the AND group names one, then of any version
    [">=1.0.0", "1.5.0-rc.1", false],
    [">=1.0.0-0", "1.5.0-rc.1", true],
    [">=1.0.0-0", "3.1.0-rc.1", true],
    [">=1.0.0-0 <2.0.0", "1.5.0-rc.1", true],
    [">=1.0.0-0 <2.0.0", "2.0.0-rc.1", true], // precedence: 2.0.0-rc.1 < 2.0.0 (npm would refuse)
    [">=1.0.0-0 <2.0.0", "2.0.0", false],
    [">=1.0.0 <2.0.0 || >=3.0.0-0", "1.5.0-rc.1", false],
    [">1.0.0-alpha", "1.0.0-beta", true],
    [">1.0.0-alpha", "1.0.0", true],
    ["^1.x-0", "1.3.0-rc.2", true],
    ["^1.x-0", "2.0.0-rc.1", false],
    ["~1.2.3-beta.2", "1.2.3-beta.10", true],
    ["~1.2.3-beta.2", "1.2.3-beta.1", false],
  ];
  for (const [range, version, expected] of cases) {
    it(`${JSON.stringify(range)} ${expected ? "matches" : "does not match"} ${version}`, () => {
      const parsed = parseStrictVersion(version);
      assert.ok(parsed);
      assert.equal(parseFluxRange(range).matches(parsed), expected);
    });
  }

  for (const range of ["", "abc", ">=1.0.0 &&", "1.2.3.4", ">=", "1.0.0-01", "~~1"]) {
    it(`rejects ${JSON.stringify(range)}`, () => {
      assert.throws(() => parseFluxRange(range), SemverRangeError);
    });
  }
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { applyBump, type BumpParams } from "./bump.ts";
import { formatSemanticVersion, parseSemanticVersion } from "./version.ts";

const cases: Array<[from: string, params: BumpParams, to: string]> = [
  ["1.2.3", {}, "1.2.3"],
  ["1.2.3", { bump: "major" }, "2.0.0"],
  ["1.2.3", { bump: "minor" }, "1.3.0"],
  ["1.2.3", { bump: "patch" }, "1.2.4"],
  ["1.2.3-rc.2", { bump: "final" }, "1.2.3"],
  ["1.2.3", { bump: "final" }, "1.2.3"],
  ["1.2.3-rc.2", { bump: "patch" }, "1.2.4"],
  ["1.2.3-rc.2", { bump: "major" }, "2.0.0"],
  ["1.2.3", { pre: "rc" }, "1.2.3-rc.1"],
  ["1.2.3-rc.1", { pre: "rc" }, "1.2.3-rc.2"],
  ["1.2.3-rc.9", { pre: "rc" }, "1.2.3-rc.10"],
  ["1.2.3-alpha.4", { pre: "rc" }, "1.2.3-rc.1"],
  ["1.2.3-rc", { pre: "rc" }, "1.2.3-rc.1"],
  ["1.2.3-rc.beta", { pre: "rc" }, "1.2.3-rc.1"],
  ["1.2.3-rc.1", { pre: "rc", pre_without_version: true }, "1.2.3-rc"],
  ["1.2.3", { bump: "minor", pre: "rc" }, "1.3.0-rc.1"],
  ["1.2.3-rc.1", { bump: "minor", pre: "rc" }, "1.3.0-rc.1"],
  ["1.2.3-rc.1", { bump: "final", pre: "rc" }, "1.2.3-rc.1"],
  ["1.2.3", { build: "build" }, "1.2.3+build.1"],
  ["1.2.3+build.1", { build: "build" }, "1.2.3+build.2"],
  ["1.2.3+other.5", { build: "build" }, "1.2.3+build.1"],
  ["1.2.3+build.5", { build: "build", build_without_version: true }, "1.2.3+build"],
  ["1.2.3+build.5", { bump: "patch" }, "1.2.4+build.5"],
  ["1.2.3", { bump: "patch", pre: "rc", build: "b" }, "1.2.4-rc.1+b.1"],
];

for (const [from, params, to] of cases) {
  test(`semver bump ${from} with ${JSON.stringify(params)} → ${to}`, () => {
    const parsed = parseSemanticVersion(from);
    assert.ok(parsed);
    assert.equal(formatSemanticVersion(applyBump(parsed, params)), to);
  });
}

test("semantic versions are parsed strictly, as semver-resource does", () => {
  for (const valid of ["0.0.0", "1.2.3", "10.20.30-rc.1+build.007", "1.0.0-alpha-1.0a"]) {
    const parsed = parseSemanticVersion(valid);
    assert.ok(parsed, valid);
    assert.equal(formatSemanticVersion(parsed), valid);
  }
  for (const invalid of ["v1.2.3", "1.2", "01.2.3", "1.2.3-01", "1.2.3-", "1.2.3+", "1.2.3 ", "", "abc"]) {
    assert.equal(parseSemanticVersion(invalid), undefined, invalid);
  }
});

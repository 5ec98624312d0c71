import assert from "node:assert/strict";
import { test } from "node:test";
import { compareVersions, parseVersion } from "./version.ts";

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

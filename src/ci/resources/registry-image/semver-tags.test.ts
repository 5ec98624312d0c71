import assert from "node:assert/strict";
import { test } from "node:test";
import { parseFluxRange } from "../../../semver/range.ts";
import { parseVersion } from "../../../semver/version.ts";
import { aliasesToBump, versionTags } from "./semver-tags.ts";

const version = (text: string) => {
  const parsed = parseVersion(text);
  assert.ok(parsed);
  return parsed;
};

test("version tags are the variant's releases within the constraint", () => {
  const tags = [
    "latest",
    "1.2.3",
    "1.2",
    "v1.3.0",
    "2.0.0-rc.1",
    "1.2.4-alpine",
    "alpine",
    "nightly",
    "3.0.0",
  ];
  assert.deepEqual(
    versionTags(tags).map((t) => t.tag),
    ["1.2.3", "1.2", "v1.3.0", "3.0.0"],
  );
  assert.deepEqual(
    versionTags(tags, "alpine").map((t) => t.tag),
    ["1.2.4-alpine"],
  );
  assert.deepEqual(
    versionTags(tags, undefined, parseFluxRange("~1.2")).map((t) => t.tag),
    ["1.2.3", "1.2"],
  );
});

test("bump_aliases moves minor, major and latest only while the version is the newest of each", () => {
  const existing = ["1.2.3", "1.3.0", "2.0.0", "latest", "1.2.9-rc.1"];
  assert.deepEqual(aliasesToBump(version("1.2.4"), existing), ["1.2"]);
  assert.deepEqual(aliasesToBump(version("1.4.0"), existing), ["1", "1.4"]);
  assert.deepEqual(aliasesToBump(version("2.1.0"), existing), ["latest", "2", "2.1"]);
  assert.deepEqual(aliasesToBump(version("1.2.2"), existing), []);
  assert.deepEqual(aliasesToBump(version("1.0.0"), [], "slim"), ["slim", "1-slim", "1.0-slim"]);
});

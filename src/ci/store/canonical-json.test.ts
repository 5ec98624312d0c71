import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson, resourceConfigHash } from "./canonical-json.ts";

test("canonical JSON sorts keys at every depth and drops undefined fields", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } }),
    '{"a":{"d":[{"y":2,"z":1}]},"b":1}',
  );
});

test("a resource config hash ignores key order and separates types and sources", () => {
  const git = resourceConfigHash("git", { uri: "https://x", branch: "main" });
  assert.equal(git, resourceConfigHash("git", { branch: "main", uri: "https://x" }));
  assert.notEqual(git, resourceConfigHash("git", { uri: "https://x", branch: "dev" }));
  assert.notEqual(git, resourceConfigHash("hg", { uri: "https://x", branch: "main" }));
  assert.equal(resourceConfigHash("time", undefined), resourceConfigHash("time", {}));
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { commitUrl } from "./metadata.ts";

test("commitUrl: the commit's page on well-known hosts, without userinfo", () => {
  assert.equal(commitUrl("https://github.com/o/r.git", "abc"), "https://github.com/o/r/commit/abc");
  assert.equal(commitUrl("git@github.com:o/r.git", "abc"), "https://github.com/o/r/commit/abc");
  assert.equal(commitUrl("https://u:p@gitlab.com/g/r", "abc"), "https://gitlab.com/g/r/-/commit/abc");
  assert.equal(commitUrl("https://git.internal/r.git", "abc"), "");
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { RefNotFoundError, resolveRef } from "./ref.ts";

const a = "a".repeat(40);
const b = "b".repeat(40);
const c = "c".repeat(40);
const t = "d".repeat(40);
const refs = new Map([
  ["HEAD", a],
  ["refs/heads/main", a],
  ["refs/heads/master", b],
  ["refs/tags/v1.0.0", c],
  ["refs/tags/v1.2.0", t],
  ["refs/tags/v1.2.0^{}", b],
  ["refs/tags/v2.0.0", a],
  ["refs/pull/1/head", c],
]);
const url = "https://git.example/repo.git";

test("branch, default branch, tag, peeled annotated tag, name", () => {
  assert.equal(resolveRef({ branch: "main" }, refs, url).revision, `main@sha1:${a}`);
  assert.equal(resolveRef(undefined, refs, url).revision, `master@sha1:${b}`);
  assert.equal(resolveRef({ tag: "v1.0.0" }, refs, url).revision, `v1.0.0@sha1:${c}`);
  assert.equal(resolveRef({ tag: "v1.2.0" }, refs, url).sha, b, "annotated tags resolve to their commit");
  assert.equal(resolveRef({ name: "refs/pull/1/head" }, refs, url).revision, `refs/pull/1/head@sha1:${c}`);
});

test("precedence: commit > name > semver > tag > branch", () => {
  assert.equal(resolveRef({ branch: "main", commit: c }, refs, url).revision, `main@sha1:${c}`);
  assert.equal(resolveRef({ commit: c, name: "refs/heads/main" }, refs, url).revision, `sha1:${c}`);
  assert.equal(
    resolveRef({ name: "refs/heads/main", semver: "*" }, refs, url).revision,
    `refs/heads/main@sha1:${a}`,
  );
  assert.equal(resolveRef({ semver: "^1.0", tag: "v1.0.0" }, refs, url).revision, `v1.2.0@sha1:${b}`);
  assert.equal(resolveRef({ tag: "v1.0.0", branch: "main" }, refs, url).revision, `v1.0.0@sha1:${c}`);
});

test("missing refs and bad input are named in the error", () => {
  const cases: [Parameters<typeof resolveRef>[0], RegExp][] = [
    [
      { branch: "nope" },
      /branch 'nope' not found in https:\/\/git\.example\/repo\.git \(branches: main, master\)/,
    ],
    [{ tag: "v9" }, /tag 'v9' not found/],
    [{ semver: ">=3.0.0" }, /no tag .* matches semver range '>=3.0.0'/],
    [{ semver: "not a range" }, /invalid semver range "not a range"/],
    [{ commit: "abc" }, /not a full 40-character SHA-1/],
    [{ name: "refs/heads/x" }, /reference 'refs\/heads\/x' not found/],
  ];
  for (const [ref, message] of cases) {
    assert.throws(
      () => resolveRef(ref, refs, url),
      (e: Error) => e instanceof RefNotFoundError && message.test(e.message),
    );
  }
});

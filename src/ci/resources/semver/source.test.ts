import assert from "node:assert/strict";
import { test } from "node:test";
import { ResourceError } from "../resource.ts";
import { commitMessageFor, parseGitUser, parseSemverSource } from "./source.ts";
import { parseSemanticVersion } from "./version.ts";

const base = { driver: "git", uri: "https://git.example/app.git", branch: "version", file: "version" };

test("semver source defaults: initial_version 0.0.0, commit message 'bump to %version%'", () => {
  const source = parseSemverSource(base);
  assert.deepEqual(source.initialVersion, parseSemanticVersion("0.0.0"));
  assert.equal(
    commitMessageFor(source, { major: 1, minor: 2, patch: 3, pre: [], build: [] }),
    "bump to 1.2.3",
  );
});

test("semver commit_message replaces every %version% and %file%", () => {
  const source = parseSemverSource({
    ...base,
    file: "./ci/version",
    commit_message: "%file%: %version% (%version%) [ci skip]",
  });
  const v = { major: 2, minor: 0, patch: 0, pre: ["rc", "1"], build: [] };
  assert.equal(commitMessageFor(source, v), "ci/version: 2.0.0-rc.1 (2.0.0-rc.1) [ci skip]");
});

test("git_user as Go's mail.ParseAddress reads it", () => {
  assert.deepEqual(parseGitUser("Release Bot <bot@example.com>"), {
    name: "Release Bot",
    email: "bot@example.com",
  });
  assert.deepEqual(parseGitUser('"Bot, Release" <bot@example.com>'), {
    name: "Bot, Release",
    email: "bot@example.com",
  });
  assert.deepEqual(parseGitUser("bot@example.com"), { name: "", email: "bot@example.com" });
  assert.equal(parseGitUser("Release Bot"), undefined);
});

test("semver source errors say what to fix and never echo a password", () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...base, driver: undefined }, /no driver \(semver-resource's default is s3\).*driver: git/],
    [{ ...base, driver: "s3" }, /driver "s3"/],
    [{ ...base, initial_version: "v1" }, /initial_version "v1" is not a semantic version/],
    [{ ...base, branch: "-x" }, /source\.branch: is not a valid branch name/],
    [{ ...base, branch: "a:b" }, /source\.branch: is not a valid branch name/],
    [{ ...base, file: "../etc/passwd" }, /source\.file: must be a path inside the repository/],
    [{ ...base, git_user: "nobody" }, /git_user "nobody" must read "Name <email>"/],
    [{ ...base, password: 12345 }, /source\.password/],
  ];
  for (const [source, message] of cases) {
    assert.throws(
      () => parseSemverSource(source),
      (err) =>
        err instanceof ResourceError &&
        err.reason === "InvalidConfig" &&
        message.test(err.message) &&
        !err.message.includes("12345"),
    );
  }
});

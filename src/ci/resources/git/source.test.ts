import assert from "node:assert/strict";
import { test } from "node:test";
import { ResourceError } from "../resource.ts";
import { isTagMode, parseGitSource } from "./source.ts";

const invalid = (message: RegExp) => (err: unknown) =>
  err instanceof ResourceError && err.reason === "InvalidConfig" && message.test(err.message);

test("parseGitSource: defaults as git-resource's", () => {
  const source = parseGitSource({ uri: "https://example.com/repo.git" });
  assert.equal(source.branch, undefined);
  assert.deepEqual([source.paths, source.ignorePaths, source.gitConfig], [[], [], []]);
  assert.equal(source.versionDepth, 1);
  assert.equal(source.disableCiSkip, false);
  assert.equal(isTagMode(source), false);
  assert.equal(isTagMode(parseGitSource({ uri: "u", tag_regex: "v.*" })), true);
});

test("parseGitSource: bad input names the field", () => {
  assert.throws(() => parseGitSource({}), invalid(/source\.uri/));
  assert.throws(
    () => parseGitSource({ uri: "u", branch: "-x" }),
    invalid(/source\.branch: is not a valid branch name/),
  );
  assert.throws(() => parseGitSource({ uri: "u", version_depth: 0 }), invalid(/source\.version_depth/));
  assert.throws(() => parseGitSource({ uri: "u", tag_filter: "v*", tag_regex: "v.*" }), invalid(/not both/));
  assert.throws(() => parseGitSource({ uri: "u", tag_regex: "v(" }), invalid(/tag_regex/));
  assert.throws(
    () => parseGitSource({ uri: "u", git_config: [{ name: "--upload-pack", value: "x" }] }),
    invalid(/source\.git_config\.0\.name/),
  );
  assert.throws(
    () => parseGitSource({ uri: "u", commit_filter: { include: "feat" } }),
    invalid(/source\.commit_filter\.include/),
  );
  assert.equal(parseGitSource({ uri: "u", private_key_passphrase: "secret" }).privateKeyPassphrase, "secret");
});

test("parseGitSource: private_key_user replaces the user of ssh uris only", () => {
  const uri = (u: string) => parseGitSource({ uri: u, private_key_user: "deploy" }).uri;
  assert.equal(uri("ssh://git@example.com:2222/r.git"), "ssh://deploy@example.com:2222/r.git");
  assert.equal(uri("git@example.com:org/r.git"), "deploy@example.com:org/r.git");
  assert.equal(uri("https://example.com/r.git"), "https://example.com/r.git");
});

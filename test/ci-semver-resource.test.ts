import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { ResourceError } from "../src/ci/resources/resource.ts";
import { semverResource } from "../src/ci/resources/semver/resource.ts";
import { runGit } from "../src/git/exec.ts";
import { clone, lsRemote } from "../src/git/repository.ts";
import type { DevEnv } from "../src/dev/env-file.ts";
import { testEnv } from "./helpers/env.ts";
import { pushRepo } from "./helpers/git.ts";

const repoName = (prefix: string) => `semver-${prefix}-${randomBytes(3).toString("hex")}`;

async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function sourceFor(env: DevEnv, url: string, extra: Record<string, unknown> = {}) {
  return {
    driver: "git",
    uri: url,
    branch: "version",
    file: "version",
    username: env.gitUsername,
    password: env.gitPassword,
    ...extra,
  };
}

/** The branch's commits, newest first, with their message, author and version file. */
async function branchHistory(t: TestContext, env: DevEnv, url: string, branch: string, file = "version") {
  const dir = path.join(await tempDir(t, "semver-history-"), "repo");
  await clone(url, dir, { branch, credentials: { username: env.gitUsername, password: env.gitPassword } });
  const { stdout } = await runGit(["log", "--format=%H%x00%an <%ae>%x00%B%x01", "--end-of-options", "HEAD"], {
    cwd: dir,
  });
  const commits = stdout
    .split("\x01")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  return Promise.all(
    commits.map(async (entry) => {
      const [sha = "", author = "", message = ""] = entry.split("\x00");
      const content = await runGit(["show", `${sha}:${file}`], { cwd: dir }).then(
        (r) => r.stdout,
        () => undefined,
      );
      return { sha, author, message: message.trim(), content };
    }),
  );
}

test("check on a branch that does not exist yet answers initial_version", async () => {
  const env = await testEnv();
  const { url } = await pushRepo(env, repoName("missing"), { "README.md": "code\n" });
  const versions = await semverResource.check(sourceFor(env, url, { initial_version: "1.4.0" }), undefined);
  assert.deepEqual(versions, [{ number: "1.4.0" }]);
});

test("put bump: patch creates the version branch with a templated [ci skip] commit; check reads it and the versions since a cursor", async (t) => {
  const env = await testEnv();
  const { url } = await pushRepo(env, repoName("put"), { "README.md": "code\n" });
  const source = sourceFor(env, url, {
    initial_version: "1.0.0",
    git_user: "Release Bot <bot@example.com>",
    commit_message: "bump %file% to %version% [ci skip]",
  });
  const result = await semverResource.put(source, { bump: "patch" }, await tempDir(t, "semver-inputs-"));
  assert.deepEqual(result, { version: { number: "1.0.1" }, metadata: [{ name: "number", value: "1.0.1" }] });

  const history = await branchHistory(t, env, url, "version");
  assert.equal(history.length, 1);
  assert.deepEqual(
    { message: history[0]?.message, author: history[0]?.author, content: history[0]?.content },
    {
      message: "bump version to 1.0.1 [ci skip]",
      author: "Release Bot <bot@example.com>",
      content: "1.0.1\n",
    },
  );
  assert.deepEqual(await semverResource.check(source, { number: "1.0.0" }), [{ number: "1.0.1" }]);

  await semverResource.put(source, { bump: "minor", pre: "rc" }, await tempDir(t, "semver-inputs-"));
  await semverResource.put(source, { pre: "rc" }, await tempDir(t, "semver-inputs-"));
  assert.deepEqual(await semverResource.check(source, undefined), [{ number: "1.1.0-rc.2" }]);
  const numbers = async (from: string) =>
    (await semverResource.check(source, { number: from })).map((v) => v["number"]);
  assert.deepEqual(await numbers("1.0.1"), ["1.0.1", "1.1.0-rc.1", "1.1.0-rc.2"]);
  assert.deepEqual(await numbers("1.0.0"), ["1.0.1", "1.1.0-rc.1", "1.1.0-rc.2"]);
  assert.deepEqual(await numbers("9.0.0"), ["1.1.0-rc.2"]);
});

test("get with bump: minor writes number and version without touching the repository", async (t) => {
  const env = await testEnv();
  const { url } = await pushRepo(env, repoName("get"), { version: "2.3.4\n" }, { branch: "version" });
  const source = sourceFor(env, url);
  const before = await lsRemote(url, {
    credentials: { username: env.gitUsername, password: env.gitPassword },
  });
  const dest = await tempDir(t, "semver-get-");

  const result = await semverResource.get(source, { number: "2.3.4" }, { bump: "minor" }, dest);

  assert.deepEqual(result, { version: { number: "2.3.4" }, metadata: [{ name: "number", value: "2.3.4" }] });
  assert.equal(await readFile(path.join(dest, "number"), "utf8"), "2.4.0");
  assert.equal(await readFile(path.join(dest, "version"), "utf8"), "2.4.0");
  const after = await lsRemote(url, {
    credentials: { username: env.gitUsername, password: env.gitPassword },
  });
  assert.deepEqual(after, before);
});

test("two concurrent bump: patch puts from 1.0.0 both land, one after the other, without force", async (t) => {
  const env = await testEnv();
  const { url, sha: seed } = await pushRepo(env, repoName("race"), {
    version: "1.0.0\n",
    "app.txt": "app\n",
  });
  const source = sourceFor(env, url, { branch: "main" });
  const inputs = await tempDir(t, "semver-inputs-");

  const results = await Promise.all([
    semverResource.put(source, { bump: "patch" }, inputs),
    semverResource.put(source, { bump: "patch" }, inputs),
  ]);

  assert.deepEqual(results.map((r) => r.version["number"]).sort(), ["1.0.1", "1.0.2"]);
  const history = await branchHistory(t, env, url, "main");
  assert.deepEqual(
    history.map((c) => [c.message, c.content]),
    [
      ["bump to 1.0.2", "1.0.2\n"],
      ["bump to 1.0.1", "1.0.1\n"],
      [
        `update ${url
          .split("/")
          .pop()
          ?.replace(/\.git$/, "")}`,
        "1.0.0\n",
      ],
    ],
  );
  assert.equal(history[2]?.sha, seed, "the seed commit is still the root: nothing was force-pushed");
});

test("five puts racing from the same tip in the same second all land, though their commits are identical", async (t) => {
  const env = await testEnv();
  const { url } = await pushRepo(env, repoName("race5"), { version: "1.0.0\n" });
  const source = sourceFor(env, url, { branch: "main" });
  const inputs = await tempDir(t, "semver-inputs-");

  const results = await Promise.all(
    Array.from({ length: 5 }, () => semverResource.put(source, { bump: "patch" }, inputs)),
  );

  assert.deepEqual(results.map((r) => r.version["number"]).sort(), [
    "1.0.1",
    "1.0.2",
    "1.0.3",
    "1.0.4",
    "1.0.5",
  ]);
  assert.deepEqual(await semverResource.check(source, undefined), [{ number: "1.0.5" }]);
});

test("put file: sets the version read from the build's inputs", async (t) => {
  const env = await testEnv();
  const { url } = await pushRepo(env, repoName("file"), { "sub/v": "0.1.0\n" }, { branch: "version" });
  const source = sourceFor(env, url, { file: "sub/v" });
  const inputs = await tempDir(t, "semver-inputs-");
  await writeFile(path.join(inputs, "next"), "3.0.0-beta.1\n");

  const result = await semverResource.put(source, { file: "next" }, inputs);

  assert.deepEqual(result.version, { number: "3.0.0-beta.1" });
  assert.deepEqual(await semverResource.check(source, undefined), [{ number: "3.0.0-beta.1" }]);
});

test("a version file that is not a version is an error naming the file and the branch", async () => {
  const env = await testEnv();
  const { url } = await pushRepo(
    env,
    repoName("garbage"),
    { version: "not-a-version\n" },
    { branch: "version" },
  );
  await assert.rejects(
    semverResource.check(sourceFor(env, url), undefined),
    (err) =>
      err instanceof ResourceError &&
      err.reason === "InvalidVersion" &&
      /file "version" on branch "version" of .* holds "not-a-version"/.test(err.message),
  );
});

test("a wrong password is an authentication error that does not contain the password", async () => {
  const env = await testEnv();
  const { url } = await pushRepo(env, repoName("auth"), { version: "1.0.0\n" }, { branch: "version" });
  const password = `wrong-${randomBytes(6).toString("hex")}`;
  for (const call of [
    () => semverResource.check(sourceFor(env, url, { password }), undefined),
    () => semverResource.put(sourceFor(env, url, { password }), { bump: "major" }, os.tmpdir()),
  ]) {
    await assert.rejects(call(), (err) => {
      assert.ok(err instanceof ResourceError);
      assert.equal(err.reason, "AuthenticationFailed");
      assert.match(err.message, /authentication to .* failed/);
      assert.ok(!err.message.includes(password));
      assert.ok(!JSON.stringify(err).includes(password));
      return true;
    });
  }
});

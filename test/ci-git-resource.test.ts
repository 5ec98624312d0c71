import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test, type TestContext } from "node:test";
import { gitResource } from "../src/ci/resources/git/resource.ts";
import { ResourceError, type Version } from "../src/ci/resources/resource.ts";
import { runGit } from "../src/git/exec.ts";
import { runProcess } from "../src/process/run.ts";
import { clone, commit, lsRemote } from "../src/git/repository.ts";
import type { DevEnv } from "../src/dev/env-file.ts";
import { testEnv } from "./helpers/env.ts";
import { pushRepo } from "./helpers/git.ts";

const repoName = (prefix: string) => `git-res-${prefix}-${randomBytes(3).toString("hex")}`;
const author = { name: "Dev", email: "dev@example.com" };

async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A git resource with its own mirror cache whose ref listings never outlive one check. */
async function freshResource(t: TestContext) {
  return gitResource({ cacheDir: await tempDir(t, "git-res-cache-"), refsTtlMs: 0 });
}

function sourceFor(env: DevEnv, url: string, extra: Record<string, unknown> = {}) {
  return { uri: url, branch: "main", username: env.gitUsername, password: env.gitPassword, ...extra };
}

const credentials = (env: DevEnv) => ({ username: env.gitUsername, password: env.gitPassword });
const refs = (versions: Version[]) => versions.map((v) => v["ref"]);

/** Pushes one commit per message on main (touching `file`), answering their ids in order. */
async function pushCommits(
  env: DevEnv,
  name: string,
  messages: string[],
  file = "code.txt",
): Promise<string[]> {
  const shas: string[] = [];
  for (const message of messages) {
    shas.push((await pushRepo(env, name, { [file]: `${message}\n` }, { message })).sha);
  }
  return shas;
}

/** A working copy of the repository's main branch, authenticated for pushes. */
async function workingCopy(t: TestContext, env: DevEnv, url: string, into?: string): Promise<string> {
  const dir = into ?? path.join(await tempDir(t, "git-res-work-"), "repo");
  await clone(url, dir, { branch: "main", credentials: credentials(env) });
  return dir;
}

async function commitFile(dir: string, file: string, content: string, message: string): Promise<string> {
  await writeFile(path.join(dir, file), content);
  await runGit(["add", "--", file], { cwd: dir });
  return commit(dir, { message, author });
}

/**
 * A repository whose main got a concurrent commit after the build's copy of it (in the inputs'
 * `repo` directory) committed its own on the same base.
 */
async function diverged(t: TestContext, prefix: string) {
  const env = await testEnv();
  const resource = await freshResource(t);
  const name = repoName(prefix);
  const url = `${env.gitUrl}/${name}.git`;
  await pushCommits(env, name, ["base"]);
  const inputs = await tempDir(t, "git-res-inputs-");
  const repo = await workingCopy(t, env, url, path.join(inputs, "repo"));
  const ours = await commitFile(repo, "ours.txt", "ours\n", "our change");
  const [concurrent] = await pushCommits(env, name, ["concurrent"], "theirs.txt");
  return { env, resource, url, inputs, ours, concurrent: concurrent! };
}

test("first check answers only the head; later checks the commits since the version, oldest first", async (t) => {
  const env = await testEnv();
  const resource = await freshResource(t);
  const name = repoName("list");
  const [, second, head] = await pushCommits(env, name, ["one", "two", "head"]);
  const url = `${env.gitUrl}/${name}.git`;
  const source = sourceFor(env, url);

  assert.deepEqual(await resource.check(source, undefined), [{ ref: head }]);
  const [third, fourth] = await pushCommits(env, name, ["three", "four"]);
  assert.deepEqual(refs(await resource.check(source, { ref: second! })), [second, head, third, fourth]);
  assert.deepEqual(refs(await resource.check(source, { ref: fourth! })), [fourth]);
  assert.deepEqual(refs(await resource.check(source, undefined, {})), [fourth]);
});

test("[ci skip] and [skip ci] commits are not versions unless disable_ci_skip", async (t) => {
  const env = await testEnv();
  const resource = await freshResource(t);
  const name = repoName("skip");
  const [base, , kept] = await pushCommits(env, name, [
    "base",
    "bump version [ci skip]",
    "real change",
    "docs [skip ci]",
  ]);
  const url = `${env.gitUrl}/${name}.git`;
  const source = sourceFor(env, url);
  // the head says [skip ci]: the first check answers the newest commit that does not
  assert.deepEqual(refs(await resource.check(source, undefined)), [kept]);
  assert.deepEqual(refs(await resource.check(source, { ref: base! })), [base, kept]);

  const history = (
    await runGit(["rev-list", "--first-parent", "HEAD"], { cwd: await workingCopy(t, env, url) })
  ).stdout
    .trim()
    .split("\n")
    .reverse();
  assert.deepEqual(refs(await resource.check({ ...source, disable_ci_skip: true }, { ref: base! })), history);
  assert.deepEqual(refs(await resource.check({ ...source, disable_ci_skip: true }, undefined)), [
    history.at(-1),
  ]);
});

test("paths and ignore_paths select the commits that touch them", async (t) => {
  const env = await testEnv();
  const resource = await freshResource(t);
  const name = repoName("paths");
  const url = `${env.gitUrl}/${name}.git`;
  const { sha: base } = await pushRepo(env, name, { "src/a.ts": "1\n", "docs/readme.md": "1\n" });
  const { sha: code } = await pushRepo(env, name, { "src/a.ts": "2\n" }, { message: "code" });
  const { sha: docs } = await pushRepo(env, name, { "docs/readme.md": "2\n" }, { message: "docs" });
  const { sha: both } = await pushRepo(
    env,
    name,
    { "src/a.ts": "3\n", "src/a.md": "x\n" },
    { message: "both" },
  );
  const { sha: mdOnly } = await pushRepo(env, name, { "src/b.md": "x\n" }, { message: "markdown" });

  assert.deepEqual(refs(await resource.check(sourceFor(env, url, { paths: ["src"] }), undefined)), [mdOnly]);
  assert.deepEqual(refs(await resource.check(sourceFor(env, url, { paths: ["docs"] }), { ref: base })), [
    base,
    docs,
  ]);
  const noMarkdown = sourceFor(env, url, { paths: ["src"], ignore_paths: ["*.md"] });
  assert.deepEqual(refs(await resource.check(noMarkdown, { ref: base })), [base, code, both]);
  assert.deepEqual(refs(await resource.check(sourceFor(env, url, { ignore_paths: ["src"] }), undefined)), [
    docs,
  ]);
});

test("commit_filter include and exclude match the message", async (t) => {
  const env = await testEnv();
  const resource = await freshResource(t);
  const name = repoName("filter");
  const [base, feat, , featWip, fix] = await pushCommits(env, name, [
    "base",
    "feat: login",
    "chore: deps",
    "feat: wip dashboard",
    "fix: crash",
  ]);
  const url = `${env.gitUrl}/${name}.git`;
  const source = sourceFor(env, url, { commit_filter: { include: ["^feat", "^fix"], exclude: ["wip"] } });
  assert.deepEqual(refs(await resource.check(source, { ref: base! })), [base, feat, fix]);
  assert.notEqual(featWip, undefined);
  const onlyFeat = sourceFor(env, url, { commit_filter: { include: ["feat"] } });
  assert.deepEqual(refs(await resource.check(onlyFeat, undefined)), [featWip]);
});

test("tag_filter and tag_regex answer {ref: tag, commit} of tags on the branch", async (t) => {
  const env = await testEnv();
  const resource = await freshResource(t);
  const name = repoName("tags");
  const url = `${env.gitUrl}/${name}.git`;
  const { sha: first } = await pushRepo(env, name, { a: "1\n" }, { tag: "v1.0.0" });
  await pushRepo(env, name, { a: "2\n" }, { tag: "nightly-1" });
  const { sha: second } = await pushRepo(env, name, { a: "3\n" }, { tag: "v1.1.0" });

  const source = sourceFor(env, url, { tag_filter: "v*" });
  assert.deepEqual(await resource.check(source, undefined), [{ ref: "v1.1.0", commit: second }]);
  assert.deepEqual(await resource.check({ ...source, version_depth: 5 }, { ref: "v1.0.0", commit: first }), [
    { ref: "v1.0.0", commit: first },
    { ref: "v1.1.0", commit: second },
  ]);
  const byRegex = sourceFor(env, url, { tag_regex: "v1\\.0\\..*", version_depth: 5 });
  assert.deepEqual(await resource.check(byRegex, undefined), [{ ref: "v1.0.0", commit: first }]);
});

test("a force-pushed branch answers its new head only, never the lost commits", async (t) => {
  const env = await testEnv();
  const resource = await freshResource(t);
  const name = repoName("force");
  const url = `${env.gitUrl}/${name}.git`;
  const [base, old] = await pushCommits(env, name, ["base", "old"]);
  const source = sourceFor(env, url);
  assert.deepEqual(refs(await resource.check(source, { ref: base! })), [base, old]);

  const work = await workingCopy(t, env, url);
  await runGit(["reset", "--quiet", "--hard", base!], { cwd: work });
  const rewritten = await commitFile(work, "code.txt", "rewritten\n", "rewritten");
  await runGit(["push", "--quiet", "--force", "--end-of-options", url, "HEAD:refs/heads/main"], {
    cwd: work,
    credentials: credentials(env),
  });

  assert.deepEqual(refs(await resource.check(source, { ref: old! })), [rewritten]);
});

test("get with depth 1 checks out the version and writes git-resource's files and metadata", async (t) => {
  const env = await testEnv();
  const resource = await freshResource(t);
  const name = repoName("get");
  const url = `${env.gitUrl}/${name}.git`;
  await pushCommits(env, name, ["first"]);
  const { sha: version } = await pushRepo(
    env,
    name,
    { "app.txt": "v2\n" },
    { message: "second\n\nbody", tag: "v2" },
  );
  await pushCommits(env, name, ["third"]);
  const dest = await tempDir(t, "git-res-get-");

  const gitConfig = [{ name: "sluice.Test.note", value: 'a "quoted" value' }];
  const result = await resource.get(
    sourceFor(env, url, { git_config: gitConfig }),
    { ref: version },
    { depth: 1, fetch_tags: true },
    dest,
  );

  assert.deepEqual(result.version, { ref: version });
  const gitFile = (file: string) => readFile(path.join(dest, ".git", file), "utf8");
  assert.equal((await runGit(["rev-parse", "HEAD"], { cwd: dest })).stdout.trim(), version);
  assert.equal(await readFile(path.join(dest, "app.txt"), "utf8"), "v2\n");
  const note = await runGit(["config", "--get", "sluice.Test.note"], { cwd: dest });
  assert.equal(note.stdout, 'a "quoted" value\n', "git_config is applied to the clone");
  assert.equal((await runGit(["rev-list", "--count", "HEAD"], { cwd: dest })).stdout.trim(), "1");
  assert.equal(await gitFile("ref"), `${version}\n`);
  assert.equal(await gitFile("short_ref"), version.slice(0, 7));
  assert.equal((await gitFile("commit_message")).trim(), "second\n\nbody");
  assert.equal(await gitFile("committer"), "dev@sluice.invalid");
  assert.equal(await gitFile("committer_name"), "Sluice Dev");
  assert.equal(await gitFile("author"), "Sluice Dev\n");
  assert.match(await gitFile("author_date"), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\n$/);
  assert.equal(await gitFile("branch"), "\n", "main has moved on: no branch points at the version");
  assert.equal(await gitFile("tags"), "v2\n");
  assert.equal(await gitFile("describe_ref"), "v2\n");
  const metadata = JSON.parse(await gitFile("metadata.json")) as { name: string; value: string }[];
  assert.deepEqual(metadata, result.metadata);
  const field = (n: string) => metadata.find((m) => m.name === n)?.value;
  assert.deepEqual(
    [field("commit"), field("author"), field("committer"), field("tags"), field("message")],
    [version, "Sluice Dev", "Sluice Dev", "v2", "second\n\nbody\n"],
  );
  assert.match(field("committer_date") ?? "", /^\d{4}-/);
});

test("put with rebase lands on top of a concurrent commit; without rebase it is rejected with git's reason", async (t) => {
  const { env, resource, url, inputs, ours, concurrent } = await diverged(t, "put");
  const source = sourceFor(env, url);

  await assert.rejects(resource.put(source, { repository: "repo" }, inputs), (err: unknown) => {
    assert.ok(err instanceof ResourceError);
    assert.equal(err.reason, "Conflict");
    assert.match(err.message, /rejected/);
    return true;
  });

  const result = await resource.put(source, { repository: "repo", rebase: true }, inputs);

  const remoteHead = (await lsRemote(url, { credentials: credentials(env) })).get("refs/heads/main");
  assert.deepEqual(result.version, { ref: remoteHead });
  assert.notEqual(remoteHead, ours, "our commit was rebased");
  const check = await workingCopy(t, env, url);
  const log = (await runGit(["log", "--format=%s", "-3"], { cwd: check })).stdout.trim().split("\n");
  assert.deepEqual(log, ["our change", "concurrent", "base"]);
  assert.equal((await runGit(["rev-parse", "HEAD~1"], { cwd: check })).stdout.trim(), concurrent);
});

test("put with merge merges a concurrent commit; returning: unmerged answers our commit", async (t) => {
  const { env, resource, url, inputs, ours, concurrent } = await diverged(t, "merge");

  const result = await resource.put(
    sourceFor(env, url),
    { repository: "repo", merge: true, returning: "unmerged" },
    inputs,
  );

  assert.deepEqual(result.version, { ref: ours });
  const check = await workingCopy(t, env, url);
  const parents = (await runGit(["log", "-1", "--format=%P", "HEAD"], { cwd: check })).stdout.trim();
  assert.deepEqual(parents.split(" "), [ours, concurrent]);
});

test("put only_tag pushes the tag file's tag, prefixed and annotated, and leaves the branch alone", async (t) => {
  const env = await testEnv();
  const resource = await freshResource(t);
  const name = repoName("tag");
  const url = `${env.gitUrl}/${name}.git`;
  const [base] = await pushCommits(env, name, ["base"]);
  const inputs = await tempDir(t, "git-res-inputs-");
  const repo = await workingCopy(t, env, url, path.join(inputs, "repo"));
  const unpushed = await commitFile(repo, "x.txt", "x\n", "not pushed");
  await mkdir(path.join(inputs, "version"));
  await writeFile(path.join(inputs, "version", "number"), "1.2.3\n");
  await writeFile(path.join(inputs, "version", "notes"), "release notes\n");

  const result = await resource.put(
    sourceFor(env, url),
    { repository: "repo", only_tag: true, tag: "version/number", tag_prefix: "v", annotate: "version/notes" },
    inputs,
  );

  assert.deepEqual(result.version, { ref: unpushed });
  const remote = await lsRemote(url, { credentials: credentials(env) });
  assert.equal(remote.get("refs/heads/main"), base);
  assert.equal(remote.get("refs/tags/v1.2.3^{}"), unpushed, "an annotated tag on the repository's HEAD");
});

test("put: bad params are InvalidConfig errors naming the cause", async (t) => {
  const env = await testEnv();
  const resource = await freshResource(t);
  const inputs = await tempDir(t, "git-res-inputs-");
  const source = sourceFor(env, `${env.gitUrl}/none.git`);
  const cases: [Record<string, unknown>, RegExp][] = [
    [{}, /params\.repository/],
    [{ repository: "repo", rebase: true, merge: true }, /rebase or merge/],
    [{ repository: "../elsewhere" }, /outside the build's inputs/],
    [{ repository: "missing" }, /not a git repository/],
  ];
  for (const [params, message] of cases) {
    await assert.rejects(resource.put(source, params, inputs), (err: unknown) => {
      assert.ok(err instanceof ResourceError);
      assert.equal(err.reason, "InvalidConfig");
      assert.match(err.message, message);
      return true;
    });
  }
});

test("a wrong password is AuthenticationFailed without the password; a missing branch is NotFound", async (t) => {
  const env = await testEnv();
  const resource = await freshResource(t);
  const name = repoName("errors");
  const url = `${env.gitUrl}/${name}.git`;
  await pushCommits(env, name, ["base"]);
  const password = `wrong-${randomBytes(8).toString("hex")}`;

  for (const call of [
    () => resource.check(sourceFor(env, url, { password }), undefined),
    async () => resource.get(sourceFor(env, url, { password }), { ref: "HEAD" }, {}, await tempDir(t, "g-")),
  ]) {
    await assert.rejects(call(), (err: unknown) => {
      assert.ok(err instanceof ResourceError);
      assert.equal(err.reason, "AuthenticationFailed");
      assert.doesNotMatch(
        `${err.message} ${(err.cause as Error | undefined)?.message ?? ""}`,
        new RegExp(password),
      );
      return true;
    });
  }
  await assert.rejects(resource.check(sourceFor(env, url, { branch: "nope" }), undefined), (err: unknown) => {
    assert.ok(err instanceof ResourceError);
    assert.equal(err.reason, "NotFound");
    assert.match(err.message, /has no branch "nope"/);
    return true;
  });
  await assert.rejects(
    resource.check(sourceFor(env, url, { tag_filter: "v*", tag_regex: "v.*" }), undefined),
    {
      name: "ResourceError",
      message: /tag_filter or tag_regex/,
    },
  );
});

test("check and get over ssh with a private key and pinned host keys", async (t) => {
  const env = await testEnv();
  const resource = await freshResource(t);
  const name = repoName("ssh");
  const [head] = await pushCommits(env, name, ["over ssh"]);
  const source = {
    uri: `${env.sshUrl}${env.gitRoot}/${name}.git`,
    branch: "main",
    private_key: await readFile(env.sshIdentityFile, "utf8"),
    known_hosts: env.sshKnownHosts,
  };
  assert.deepEqual(await resource.check(source, undefined), [{ ref: head }]);
  const dest = await tempDir(t, "git-res-ssh-");
  await resource.get(source, { ref: head! }, {}, dest);
  assert.equal(await readFile(path.join(dest, "code.txt"), "utf8"), "over ssh\n");
  await assert.rejects(resource.check({ ...source, known_hosts: undefined }, undefined), {
    name: "ResourceError",
    message: /known_hosts/,
  });
});

test("an encrypted private key works with private_key_passphrase, which never reaches a command line; a wrong one is refused", async (t) => {
  const env = await testEnv();
  const resource = await freshResource(t);
  const name = repoName("ssh-passphrase");
  const [head] = await pushCommits(env, name, ["behind a passphrase"]);
  const dir = await tempDir(t, "git-res-key-");
  const key = path.join(dir, "id");
  await writeFile(key, await readFile(env.sshIdentityFile, "utf8"), { mode: 0o600 });
  const passphrase = `pass-${randomBytes(6).toString("hex")}`;
  await runProcess("ssh-keygen", ["-q", "-p", "-P", "", "-N", passphrase, "-f", key], {
    env: {},
    timeoutMs: 10_000,
  });
  const encrypted = await readFile(key, "utf8");
  const source = {
    uri: `${env.sshUrl}${env.gitRoot}/${name}.git`,
    branch: "main",
    private_key: encrypted,
    private_key_passphrase: passphrase,
    known_hosts: env.sshKnownHosts,
  };
  assert.deepEqual(await resource.check(source, undefined), [{ ref: head }]);
  const wrong = `wrong-${randomBytes(6).toString("hex")}`;
  const refused = await resource.check({ ...source, private_key_passphrase: wrong }, undefined).then(
    () => assert.fail("a wrong passphrase was accepted"),
    (error: Error) => error,
  );
  assert.ok(!refused.message.includes(wrong), refused.message);
  const withoutIt = await resource.check({ ...source, private_key_passphrase: undefined }, undefined).then(
    () => assert.fail("an encrypted key without its passphrase was accepted"),
    (error: Error) => error,
  );
  assert.match(withoutIt.message, /ssh|authentication|permission/i);
});

test("checks of one source within the refs TTL share one ls-remote and fetch nothing when unchanged; an explicit check is fresh", async (t) => {
  const env = await testEnv();
  const resource = gitResource({ cacheDir: await tempDir(t, "git-res-cache-"), refsTtlMs: 60_000 });
  const name = repoName("ttl");
  const [first] = await pushCommits(env, name, ["first"]);
  const source = sourceFor(env, `${env.gitUrl}/${name}.git`);
  assert.deepEqual(refs(await resource.check(source, undefined)), [first]);
  await pushCommits(env, name, ["second"]);
  // within the TTL the listing is the cached one: the new commit shows up at the next interval
  const answers = await Promise.all(Array.from({ length: 10 }, () => resource.check(source, undefined)));
  assert.deepEqual(
    answers.map(refs),
    Array.from({ length: 10 }, () => [first]),
  );
  // an explicit check (a person, a webhook) lists the remote now
  const explicit = refs(await resource.check(source, undefined, { fresh: true }));
  assert.notDeepEqual(explicit, [first], "the explicit check sees the second commit");
});

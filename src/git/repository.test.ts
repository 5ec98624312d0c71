import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { GitError, runGit } from "./exec.ts";
import {
  addAll,
  checkout,
  clone,
  commit,
  currentBranch,
  fetch,
  init,
  lsRemote,
  push,
  revParse,
  tag,
} from "./repository.ts";

const author = { name: "Test Author", email: "author@sluice.invalid" };
let tmp: string;
let remoteUrl: string;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "sluice-repo-test-"));
  const remote = path.join(tmp, "remote.git");
  await init(remote, { bare: true, initialBranch: "main" });
  remoteUrl = pathToFileURL(remote).href;
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function commitFile(dir: string, file: string, content: string, message: string): Promise<string> {
  await writeFile(path.join(dir, file), content);
  await addAll(dir);
  return commit(dir, { message, author });
}

test("init, commit, push, then clone and lsRemote see the same commits", async () => {
  const work = path.join(tmp, "work");
  await init(work, { initialBranch: "main" });
  assert.equal(await currentBranch(work), "main");
  const first = await commitFile(work, "a.txt", "one\n", "first");
  assert.match(first, /^[0-9a-f]{40}$/);
  await tag(work, "v1", { message: "release 1", tagger: author });
  await push(work, { remote: remoteUrl, refspec: ["HEAD:refs/heads/main", "refs/tags/v1"] });

  const refs = await lsRemote(remoteUrl);
  assert.equal(refs.get("refs/heads/main"), first);
  assert.equal(refs.get("refs/tags/v1^{}"), first);

  const copy = path.join(tmp, "copy");
  await clone(remoteUrl, copy, { depth: 1, branch: "main" });
  assert.equal(await readFile(path.join(copy, "a.txt"), "utf8"), "one\n");
  assert.equal(await revParse(copy, "HEAD"), first);
  const { stdout } = await runGit(["log", "-1", "--format=%an <%ae>|%cn|%s"], { cwd: copy });
  assert.equal(stdout.trim(), "Test Author <author@sluice.invalid>|Test Author|first");

  const second = await commitFile(work, "a.txt", "two\n", "second");
  await push(work, { remote: remoteUrl, refspec: "HEAD:refs/heads/main" });
  await fetch(copy);
  assert.equal(await revParse(copy, "origin/main"), second);
});

test("commit refuses an empty commit unless allowed", async () => {
  const work = path.join(tmp, "empty");
  await init(work);
  await assert.rejects(commit(work, { message: "nothing", author }), GitError);
  const sha = await commit(work, { message: "nothing", author, allowEmpty: true });
  assert.equal(await revParse(work, "HEAD"), sha);
});

test("checkout switches branches, creates them, and detaches", async () => {
  const work = path.join(tmp, "branches");
  await init(work, { initialBranch: "main" });
  const base = await commitFile(work, "f", "x", "base");
  await checkout(work, "main", { newBranch: "feature" });
  assert.equal(await currentBranch(work), "feature");
  await checkout(work, "main");
  assert.equal(await currentBranch(work), "main");
  await checkout(work, base, { detach: true });
  assert.equal(await currentBranch(work), undefined);
});

test("user input that looks like an option is not read as one", async () => {
  const work = path.join(tmp, "options");
  await init(work, { initialBranch: "main" });
  await commitFile(work, "f", "x", "base");
  await assert.rejects(revParse(work, "--git-dir"), GitError);
  await assert.rejects(checkout(work, "--orphan=x"), GitError);
  assert.equal(await currentBranch(work), "main");
});

test("push refuses forced refspecs", async () => {
  await assert.rejects(push(tmp, { remote: remoteUrl, refspec: "+HEAD:refs/heads/main" }), /force/);
});

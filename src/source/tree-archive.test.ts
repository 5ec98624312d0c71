import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { runGit } from "../git/exec.ts";
import { addAll, clone, commit, init } from "../git/repository.ts";
import { includeEntries } from "./entries.ts";
import { buildIgnoreMatcher } from "./ignore.ts";
import { ArchiveTooLargeError, extractTarGz } from "./tar-gz.ts";
import {
  archiveDirectory,
  archiveGitTree,
  loadSourceIgnoreFiles,
  type SourceArchive,
} from "./tree-archive.ts";

const run = promisify(execFile);
const author = { name: "Test Author", email: "author@sluice.invalid" };

let tmp: string;
let work: string;
let firstCommit: string;

async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
}

async function commitAll(dir: string, message: string): Promise<string> {
  await addAll(dir);
  return commit(dir, { message, author });
}

/** `tar -tzvf` of the archive as "mode path[ -> target]" lines. */
async function listWithSystemTar(archive: SourceArchive): Promise<string[]> {
  const file = path.join(tmp, `list-${archive.digest.slice(7, 19)}.tar.gz`);
  await writeFile(file, archive.bytes);
  const { stdout } = await run("tar", ["-tzvf", file]);
  return stdout
    .trim()
    .split("\n")
    .map((line) => {
      const [mode, , , , , ...rest] = line.split(/\s+/);
      return `${mode} ${rest.join(" ")}`;
    });
}

function paths(archive: SourceArchive): string[] {
  return extractTarGz(archive.bytes).map((entry) => entry.path);
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "sluice-tree-archive-"));
  work = path.join(tmp, "work");
  await init(work, { initialBranch: "main" });
  await writeTree(work, {
    "README.md": "# demo\n",
    "deploy/app.yaml": "kind: Deployment\n",
    "deploy/base/deep/er/kustomization.yaml": "resources: []\n",
    "bin/run.sh": "#!/bin/sh\necho hi\n",
    "logo.png": "not really a png",
    ".github/workflows/ci.yaml": "on: push\n",
    "sub/.sops.yaml": "creation_rules: []\n",
    ".gitignore": "*.tmp\n",
  });
  await chmod(path.join(work, "bin/run.sh"), 0o755);
  await symlink("deploy/app.yaml", path.join(work, "link"));
  await symlink("../../etc/passwd", path.join(work, "escape"));
  await symlink("/etc/passwd", path.join(work, "absolute"));
  await addAll(work);
  // A gitlink, as a submodule leaves in the tree, without needing the submodule itself.
  await runGit(["update-index", "--add", "--cacheinfo", `160000,${"a".repeat(40)},vendor/sub`], {
    cwd: work,
  });
  firstCommit = await commit(work, { message: "first", author });
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("archiveGitTree", () => {
  it("archives files, executables and symlinks with fixed modes, sorted, without the default exclusions", async () => {
    const archive = await archiveGitTree(work, firstCommit);
    assert.deepEqual(await listWithSystemTar(archive), [
      "-rw-r--r-- README.md",
      "-rwxr-xr-x bin/run.sh",
      "-rw-r--r-- deploy/app.yaml",
      "-rw-r--r-- deploy/base/deep/er/kustomization.yaml",
      "lrwxrwxrwx link -> deploy/app.yaml",
    ]);
    assert.equal(archive.fileCount, 5);
    assert.equal(archive.size, archive.bytes.length);
    assert.match(archive.digest, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(archive.skipped, [
      { path: "absolute", reason: "escaping-symlink" },
      { path: "escape", reason: "escaping-symlink" },
      { path: "vendor/sub", reason: "submodule" },
    ]);
  });

  it("gives the same digest for the same tree, in two builds and in another clone", async () => {
    const first = await archiveGitTree(work, firstCommit);
    const second = await archiveGitTree(work, "HEAD");
    const copy = path.join(tmp, "copy");
    await clone(pathToFileURL(work).href, copy);
    const fromClone = await archiveGitTree(copy, firstCommit);
    assert.equal(second.digest, first.digest);
    assert.equal(fromClone.digest, first.digest);
    assert.ok(first.bytes.equals(fromClone.bytes));
  });

  it("gives a different digest when content changes, and the same again when it is restored", async () => {
    const repo = path.join(tmp, "changes");
    await init(repo, { initialBranch: "main" });
    await writeTree(repo, { "a.yaml": "one\n" });
    const one = await commitAll(repo, "one");
    await writeTree(repo, { "a.yaml": "two\n" });
    const two = await commitAll(repo, "two");
    await writeTree(repo, { "a.yaml": "one\n" });
    const back = await commitAll(repo, "back");
    const digests = await Promise.all(
      [one, two, back].map(async (c) => (await archiveGitTree(repo, c)).digest),
    );
    assert.notEqual(digests[0], digests[1]);
    assert.equal(digests[2], digests[0]);
  });
});

describe("archiveGitTree options", () => {
  it("applies a .sourceignore in a subdirectory relative to it, replacing the non-VCS defaults", async () => {
    const repo = path.join(tmp, "sourceignore");
    await init(repo, { initialBranch: "main" });
    await writeTree(repo, {
      "apps/.sourceignore": "*.md\n/local/\n",
      "apps/README.md": "x",
      "apps/local/secret.yaml": "x",
      "apps/x/local/kept.yaml": "x",
      "README.md": "x",
      "logo.png": "x",
      ".gitignore": "*.tmp\n",
    });
    const sha = await commitAll(repo, "ignore");
    assert.deepEqual(paths(await archiveGitTree(repo, sha)), [
      "README.md",
      "apps/.sourceignore",
      "apps/x/local/kept.yaml",
      "logo.png",
    ]);
  });

  it("applies spec.ignore after the .sourceignore files", async () => {
    const specIgnore = "/*\n!/deploy\n/deploy/**/*.yaml\n!/deploy/app.yaml\n";
    assert.deepEqual(paths(await archiveGitTree(work, firstCommit, { specIgnore })), ["deploy/app.yaml"]);
  });

  it("refuses a tree larger than the limit with a clear error", async () => {
    await assert.rejects(archiveGitTree(work, firstCommit, { maxBytes: 10 }), (err: unknown) => {
      assert.ok(err instanceof ArchiveTooLargeError);
      assert.match(err.message, /more than the limit of 10 bytes/);
      return true;
    });
  });

  it("merges included entries under a path before ignore rules apply", async () => {
    const other = await archiveGitTree(work, firstCommit);
    const included = includeEntries(extractTarGz(other.bytes), { fromPath: "deploy", toPath: "base/app" });
    const addEntries = [...included, { type: "file" as const, path: "base/app/pic.png", content: "x" }];
    const archive = await archiveGitTree(work, firstCommit, { addEntries });
    assert.deepEqual(
      paths(archive).filter((p) => p.startsWith("base/")),
      ["base/app/app.yaml", "base/app/base/deep/er/kustomization.yaml"],
    );
  });

  it("fails for an unknown revision and stops when aborted", async () => {
    await assert.rejects(archiveGitTree(work, "no-such-branch"), /ls-tree/);
    await assert.rejects(archiveGitTree(work, firstCommit, { signal: AbortSignal.abort() }));
  });
});

describe("archiveDirectory", () => {
  it("gives a checkout the same digest as its commit", async () => {
    const checkout = path.join(tmp, "checkout");
    await clone(pathToFileURL(work).href, checkout);
    const matcher = buildIgnoreMatcher({ sourceIgnoreFiles: await loadSourceIgnoreFiles(checkout) });
    const fromDisk = await archiveDirectory(checkout, matcher);
    const fromTree = await archiveGitTree(work, firstCommit);
    assert.equal(fromDisk.digest, fromTree.digest);
    assert.deepEqual(
      fromDisk.skipped.map((s) => s.path),
      ["absolute", "escape"],
    );
  });

  it("does not follow symlinked directories out of the tree, nor chains that escape", async () => {
    const dir = path.join(tmp, "links");
    await writeTree(dir, { "a/file.txt": "a", "a/b/c/d.txt": "d" });
    await symlink(tmp, path.join(dir, "outside-dir"));
    await symlink("b/c", path.join(dir, "a/inside-dir"));
    await symlink("..", path.join(dir, "a/up"));
    await symlink("up/..", path.join(dir, "a/chain")); // a/up is the root; one more ".." leaves it
    const archive = await archiveDirectory(dir, buildIgnoreMatcher({ sourceIgnoreFiles: new Map() }));
    assert.deepEqual(paths(archive), ["a/b/c/d.txt", "a/file.txt", "a/inside-dir", "a/up"]);
    assert.deepEqual(archive.skipped, [
      { path: "a/chain", reason: "escaping-symlink" },
      { path: "outside-dir", reason: "escaping-symlink" },
    ]);
  });

  it("loads .sourceignore files of subdirectories", async () => {
    const dir = path.join(tmp, "ignore-dir");
    await writeTree(dir, { ".sourceignore": "*.txt\n", "a/.sourceignore": "!keep.txt\n", "a/keep.txt": "k" });
    assert.deepEqual(
      await loadSourceIgnoreFiles(dir),
      new Map([
        ["", "*.txt\n"],
        ["a", "!keep.txt\n"],
      ]),
    );
  });
});

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { GitError, gitVerb, redact, runGit, withCredentials } from "./exec.ts";

const execFileAsync = promisify(execFile);
let tmp: string;
before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "sluice-exec-test-"));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<GitError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof GitError, `expected a GitError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the git command to fail");
}

describe("runGit", () => {
  test("returns stdout of a successful command", async () => {
    const { stdout } = await runGit(["--version"]);
    assert.match(stdout, /^git version \d+\.\d+/);
  });

  test("ignores inherited GIT_* variables and clears credential helpers", async () => {
    const repo = path.join(tmp, "hardened");
    await runGit(["init", "--quiet", "--end-of-options", repo]);
    process.env["GIT_DIR"] = "/nonexistent";
    try {
      const { stdout } = await runGit(["rev-parse", "--git-dir"], { cwd: repo });
      assert.equal(stdout.trim(), ".git");
      const helpers = await runGit(["config", "--get-all", "credential.helper"], { cwd: repo });
      assert.equal(helpers.stdout.trim(), "");
    } finally {
      delete process.env["GIT_DIR"];
    }
  });

  test("a failing command gives a GitError naming the verb, exit code and git's message", async () => {
    const err = await rejection(runGit(["rev-parse", "--verify", "--end-of-options", "nope"], { cwd: tmp }));
    assert.equal(err.verb, "rev-parse");
    assert.equal(err.reason, "exit");
    assert.equal(err.exitCode, 128);
    assert.match(err.message, /^git rev-parse exited with code 128: fatal: not a git repository/);
  });

  test("a missing working directory is a spawn failure, not a crash", async () => {
    const err = await rejection(runGit(["status"], { cwd: path.join(tmp, "missing") }));
    assert.equal(err.reason, "spawn");
  });

  test("the timeout kills git and the helpers it started", async () => {
    await runGit(["init", "--quiet", "--bare", "--end-of-options", path.join(tmp, "slow.git")]);
    const started = Date.now();
    const err = await rejection(
      runGit(["ls-remote", "--upload-pack=sleep 30;", "--end-of-options", path.join(tmp, "slow.git")], {
        timeoutMs: 300,
      }),
    );
    assert.equal(err.reason, "timeout");
    assert.match(err.message, /^git ls-remote timed out/);
    assert.ok(Date.now() - started < 5_000, "git was not killed in time");
  });

  test("an AbortSignal kills git", async () => {
    const controller = new AbortController();
    const running = runGit(["ls-remote", "--upload-pack=sleep 30;", "--end-of-options", tmp], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    const err = await rejection(running);
    assert.equal(err.reason, "aborted");
  });

  test("stdout beyond the limit fails the command", async () => {
    const err = await rejection(runGit(["help", "--all"], { maxOutputBytes: 64 }));
    assert.equal(err.reason, "output-limit");
  });
});

describe("credentials", () => {
  test("secrets never appear in an error message", async () => {
    const password = "s3cret-Pa55word";
    const err = await rejection(
      runGit(["ls-remote", "--end-of-options", `http://alice:${password}@127.0.0.1:9/repo.git`], {
        credentials: { username: "alice", password },
      }),
    );
    assert.doesNotMatch(`${err.message}${err.stderr}`, /s3cret/);
  });

  test("secrets git repeats in its output are redacted", async () => {
    const token = "tok-Very-Secret";
    const err = await rejection(
      runGit(["ls-remote", "--end-of-options", path.join(tmp, token)], {
        credentials: { bearerToken: token },
      }),
    );
    assert.match(err.message, /\*\*\*/);
    assert.doesNotMatch(`${err.message}${err.stderr}`, /Very-Secret/);
  });

  test("the askpass script answers username and password prompts, then is removed", async () => {
    let dir = "";
    await withCredentials({ username: "bob", password: "pw with 'quotes'" }, async (auth) => {
      const script = auth.env["GIT_ASKPASS"] ?? "";
      dir = path.dirname(script);
      assert.equal((await stat(dir)).mode & 0o777, 0o700);
      for (const file of await readdir(dir)) {
        const mode = (await stat(path.join(dir, file))).mode & 0o777;
        assert.equal(mode, file === "askpass.sh" ? 0o700 : 0o600, file);
      }
      const ask = async (prompt: string): Promise<string> => (await execFileAsync(script, [prompt])).stdout;
      assert.equal(await ask("Username for 'http://h': "), "bob");
      assert.equal(await ask("Password for 'http://bob@h': "), "pw with 'quotes'");
    });
    await assert.rejects(stat(dir), { code: "ENOENT" });
  });

  test("the temporary directory is removed when the callback throws", async () => {
    let dir = "";
    await assert.rejects(
      withCredentials({ username: "u", password: "p" }, (auth) => {
        dir = path.dirname(auth.env["GIT_ASKPASS"] ?? "");
        throw new Error("boom");
      }),
      /boom/,
    );
    await assert.rejects(stat(dir), { code: "ENOENT" });
  });

  test("a bearer token goes through GIT_CONFIG_* variables, not argv", async () => {
    const { stdout } = await runGit(["config", "--get", "http.extraHeader"], {
      credentials: { bearerToken: "tok-123" },
      cwd: tmp,
    });
    assert.equal(stdout.trim(), "Authorization: Bearer tok-123");
  });
});

test("gitVerb skips global options", () => {
  assert.equal(gitVerb(["-C", "dir", "-c", "a=b", "--no-pager", "push", "origin"]), "push");
});

test("redact removes userinfo and secrets", () => {
  assert.equal(
    redact("fatal: https://u:p@host/x and token abc", ["abc"]),
    "fatal: https://***@host/x and token ***",
  );
});

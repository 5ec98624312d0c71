import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { inheritedEnv, ProcessError, runProcess, type OutputLine, type RunProcessOptions } from "./run.ts";

const options: RunProcessOptions = { env: { PATH: "/usr/bin:/bin" }, timeoutMs: 10_000 };
const sh = (script: string, extra: Partial<RunProcessOptions> = {}) =>
  runProcess("/bin/sh", ["-c", script], { ...options, ...extra });

async function failure(run: Promise<unknown>): Promise<ProcessError> {
  const err = await run.then(
    () => assert.fail("the run succeeded"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ProcessError, String(err));
  return err;
}

/** True while a process with this PID exists and is not a zombie. */
async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

describe("runProcess exits and stops", () => {
  it("resolves with stdout and stderr of a successful run, in the given environment only", async () => {
    const result = await sh('printf "out $GREETING"; printf "err" >&2; test -z "$HOME"', {
      env: { PATH: "/usr/bin:/bin", GREETING: "hello" },
    });
    assert.deepEqual(result, { stdout: "out hello", stderr: "err" });
  });

  it("rejects a non-zero exit with its code and the end of stderr in the message", async () => {
    const err = await failure(sh("echo first >&2; echo 'the real reason' >&2; exit 3"));
    assert.equal(err.failure, "exit");
    assert.equal(err.exitCode, 3);
    assert.equal(err.stderr, "first\nthe real reason\n");
    assert.equal(err.message, "/bin/sh exited with code 3: the real reason");
  });

  it("kills the whole process group on timeout, grandchildren included", async () => {
    let grandchild = 0;
    const err = await failure(
      sh("sleep 30 & echo $!; wait", {
        timeoutMs: 300,
        onLine: ({ line }) => (grandchild = Number(line)),
      }),
    );
    assert.equal(err.failure, "timeout");
    assert.ok(grandchild > 0, "the grandchild's PID was streamed");
    for (let i = 0; i < 50 && (await alive(grandchild)); i++) await sleep(20);
    assert.equal(await alive(grandchild), false, "the grandchild sleep was killed with its group");
  });

  it("leaves no grandchild that ignores SIGTERM and closed its output behind a timeout", async () => {
    let grandchild = 0;
    await failure(
      sh(`sh -c 'trap "" TERM; exec sleep 30' >/dev/null 2>&1 & echo $!; wait`, {
        timeoutMs: 300,
        onLine: ({ line }) => (grandchild = Number(line)),
      }),
    );
    assert.ok(grandchild > 0);
    for (let i = 0; i < 50 && (await alive(grandchild)); i++) await sleep(20);
    assert.equal(await alive(grandchild), false);
  });

  it("is aborted by a signal, before and during the run", async () => {
    const before = new AbortController();
    before.abort();
    assert.equal((await failure(sh("true", { signal: before.signal }))).failure, "aborted");
    const during = new AbortController();
    const run = sh("sleep 30", { signal: during.signal });
    setTimeout(() => during.abort(), 50);
    const started = Date.now();
    assert.equal((await failure(run)).failure, "aborted");
    assert.ok(Date.now() - started < 5_000, "SIGTERM ended it without waiting for the sleep");
  });
});

describe("runProcess output", () => {
  it("stops a child whose stdout exceeds the limit, keeping what fit", async () => {
    const err = await failure(sh("yes sluice", { maxOutputBytes: 1000 }));
    assert.equal(err.failure, "output-limit");
  });

  it("streams the lines of each stream in order, the last one without a newline too", async () => {
    const lines: OutputLine[] = [];
    const result = await sh("echo one; echo two >&2; printf 'three\\r\\nfour'; printf five >&2", {
      onLine: (line) => lines.push(line),
    });
    const of = (stream: OutputLine["stream"]) => lines.filter((l) => l.stream === stream).map((l) => l.line);
    assert.deepEqual(of("stdout"), ["one", "three", "four"]);
    assert.deepEqual(of("stderr"), ["two", "five"]);
    assert.equal(result.stdout, "one\nthree\r\nfour", "the buffered output is unchanged");
  });

  it("splits an endless line into bounded pieces", async () => {
    const lines: string[] = [];
    await sh("head -c 200000 /dev/zero | tr '\\0' x", { onLine: ({ line }) => lines.push(line) });
    assert.equal(lines.join(""), "x".repeat(200_000));
    assert.ok(lines.every((line) => line.length <= 64 * 1024));
  });

  it("writes input to stdin and closes it; without input stdin is empty", async () => {
    assert.equal((await runProcess("cat", [], { ...options, input: "piped\n" })).stdout, "piped\n");
    assert.equal((await runProcess("cat", [], options)).stdout, "");
  });

  it("reports a program that cannot be started", async () => {
    const err = await failure(runProcess("/nonexistent/tool", [], options));
    assert.equal(err.failure, "spawn");
    assert.match(err.message, /^\/nonexistent\/tool could not be started: .*ENOENT/);
  });

  it("inheritedEnv passes this process's environment with overrides", () => {
    const env = inheritedEnv({ SLUICE_TEST_EXTRA: "1" });
    assert.equal(env["PATH"], process.env["PATH"]);
    assert.equal(env["SLUICE_TEST_EXTRA"], "1");
  });
});

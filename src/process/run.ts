/**
 * The one way Sluice runs a child process to completion: no shell, its own process group (a kill
 * reaches everything it started), an explicit environment, a timeout and an AbortSignal (SIGTERM
 * to the group, SIGKILL after a grace period), a bound on what it may write, and its output both
 * streamed line by line (build logs) and buffered (results).
 */
import { spawn } from "node:child_process";
import { killOrphanedGroup, killProcessGroup } from "./kill.ts";
import { HeadBuffer, LineSplitter, TailBuffer, type OutputStream } from "./output.ts";

export type ProcessFailure = "exit" | "timeout" | "aborted" | "spawn" | "output-limit";

export interface OutputLine {
  stream: OutputStream;
  /** without its line ending */
  line: string;
}

export interface RunProcessOptions {
  cwd?: string | undefined;
  /** The whole environment of the child; nothing is inherited. */
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Written to the child's standard input, which is then closed; without it stdin is /dev/null. */
  input?: string | Buffer | undefined;
  /** The child is killed and the run fails when stdout grows beyond this (default 32 MiB). */
  maxOutputBytes?: number | undefined;
  /** false: stdout is only streamed to `onLine`, never buffered nor bounded (a build step's output). */
  keepOutput?: boolean | undefined;
  /** Called with the child's PID once it is started. */
  onSpawn?: ((pid: number) => void) | undefined;
  /** Each line of stdout and stderr as it arrives; a last line without a newline comes at exit. */
  onLine?: ((line: OutputLine) => void) | undefined;
}

export interface ProcessResult {
  stdout: string;
  /** the last 64 KiB or so of standard error */
  stderr: string;
}

/** "exited with code 2", "timed out", …: how a run failed, to follow a program's name. */
export const describeProcessFailure = (
  failure: ProcessFailure,
  exitCode: number | null,
  signal: NodeJS.Signals | null = null,
): string =>
  ({
    exit: exitCode === null && signal ? `was killed by ${signal}` : `exited with code ${exitCode ?? "?"}`,
    timeout: "timed out",
    aborted: "was aborted",
    spawn: "could not be started",
    "output-limit": "produced too much output",
  })[failure];

/** A child process that failed; `stderr` holds the end of what it wrote there. */
export class ProcessError extends Error {
  readonly failure: ProcessFailure;
  readonly exitCode: number | null;
  /** The signal that ended it, when one did. */
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;

  constructor(
    file: string,
    failure: ProcessFailure,
    exitCode: number | null,
    stderr: string,
    signal: NodeJS.Signals | null = null,
  ) {
    const lastLine = stderr.trim().split("\n").at(-1);
    super(`${file} ${describeProcessFailure(failure, exitCode, signal)}${lastLine ? `: ${lastLine}` : ""}`);
    this.name = "ProcessError";
    this.failure = failure;
    this.exitCode = exitCode;
    this.signal = signal;
    this.stderr = stderr;
  }
}

export const defaultMaxOutputBytes = 32 * 1024 * 1024;
const maxStderrBytes = 64 * 1024;
const killGraceMs = 2_000;

/** Runs `file args` and resolves with its output when it exits 0; rejects with a {@link ProcessError}. */
export function runProcess(
  file: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new ProcessError(file, "aborted", null, ""));
      return;
    }
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      // Own process group, so that a kill reaches the child's children, and no controlling terminal.
      detached: true,
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    const stdout = new HeadBuffer(options.maxOutputBytes ?? defaultMaxOutputBytes);
    const stderr = new TailBuffer(maxStderrBytes);
    const lines = options.onLine && {
      stdout: new LineSplitter((line) => options.onLine?.({ stream: "stdout", line })),
      stderr: new LineSplitter((line) => options.onLine?.({ stream: "stderr", line })),
    };
    let stopReason: ProcessFailure | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const stop = (reason: ProcessFailure): void => {
      if (stopReason) return;
      stopReason = reason;
      killProcessGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(() => killProcessGroup(child.pid, "SIGKILL"), killGraceMs);
    };
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
    const onAbort = (): void => stop("aborted");
    options.signal?.addEventListener("abort", onAbort, { once: true });

    const keepOutput = options.keepOutput ?? true;
    child.stdout?.on("data", (chunk: Buffer) => {
      lines?.stdout.push(chunk);
      if (!keepOutput) return;
      stdout.push(chunk);
      if (stdout.overflowed) stop("output-limit");
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr.push(chunk);
      lines?.stderr.push(chunk);
    });
    if (child.stdin) {
      child.stdin.on("error", () => {}); // the child may exit before reading its input; the exit code tells.
      child.stdin.end(options.input);
    }
    child.on("error", (err) => {
      stopReason ??= "spawn";
      stderr.push(Buffer.from(err.message));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      // A grandchild that ignored SIGTERM may outlive the child: a stopped run leaves nothing behind.
      if (stopReason) killOrphanedGroup(child.pid, "SIGKILL");
      options.signal?.removeEventListener("abort", onAbort);
      lines?.stdout.end();
      lines?.stderr.end();
      const failure = stopReason ?? (code === 0 ? undefined : "exit");
      if (failure) reject(new ProcessError(file, failure, code, stderr.text(), signal));
      else resolve({ stdout: stdout.text(), stderr: stderr.text() });
    });
  });
}

/** This process's environment (without unset entries) plus `extra`, for children that may inherit it. */
export function inheritedEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
  return { ...env, ...extra };
}

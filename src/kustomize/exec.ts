import { spawn } from "node:child_process";

export type ProcessFailure = "exit" | "timeout" | "aborted" | "spawn" | "output-limit";

export interface RunProcessOptions {
  cwd: string;
  /** The whole environment of the child; nothing is inherited. */
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** The child is killed and the run fails when stdout grows beyond this. */
  maxOutputBytes: number;
}

/** A child process that failed; `stderr` holds the end of what it wrote there. */
export class ProcessError extends Error {
  readonly failure: ProcessFailure;
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(failure: ProcessFailure, exitCode: number | null, stderr: string) {
    super(`process ${failure === "exit" ? `exited with code ${exitCode ?? "?"}` : failure}`);
    this.name = "ProcessError";
    this.failure = failure;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

const maxStderrBytes = 64 * 1024;
const killGraceMs = 2_000;

/**
 * Runs `file args` without a shell, in its own process group (a kill reaches its children too),
 * with no standard input, and resolves with its standard output.
 */
export function runProcess(
  file: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<string> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new ProcessError("aborted", null, ""));
      return;
    }
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = Buffer.alloc(0);
    let stopReason: ProcessFailure | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const stop = (reason: ProcessFailure): void => {
      if (stopReason) return;
      stopReason = reason;
      killGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(() => killGroup(child.pid, "SIGKILL"), killGraceMs);
    };
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
    const onAbort = (): void => stop("aborted");
    options.signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout.on("data", (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxOutputBytes) stop("output-limit");
      else stdout.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]);
      if (stderr.length > 2 * maxStderrBytes) stderr = stderr.subarray(-maxStderrBytes);
    });
    child.on("error", (err) => {
      stopReason ??= "spawn";
      stderr = Buffer.concat([stderr, Buffer.from(err.message)]);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener("abort", onAbort);
      const failure = stopReason ?? (code === 0 ? undefined : "exit");
      if (failure) reject(new ProcessError(failure, code, stderr.toString("utf8")));
      else resolve(Buffer.concat(stdout).toString("utf8"));
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

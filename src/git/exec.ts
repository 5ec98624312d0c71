import { spawn } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** Credentials for an HTTP(S) remote: basic auth, or a bearer token sent as an extra header. */
export type GitCredentials = { username: string; password: string } | { bearerToken: string };

/**
 * Credentials materialised for git (see {@link withCredentials}): environment entries, config
 * entries passed through GIT_CONFIG_* variables, and the secrets to redact from any output.
 */
export interface GitAuth {
  readonly env: Readonly<Record<string, string>>;
  readonly config: ReadonlyArray<readonly [key: string, value: string]>;
  readonly secrets: readonly string[];
}

export interface GitRunOptions {
  cwd?: string;
  /** Kills git (and its helpers) after this long; default {@link defaultGitTimeoutMs}. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Credentials for this one call; use {@link withCredentials} and `auth` to share them between calls. */
  credentials?: GitCredentials;
  auth?: GitAuth;
  /** Extra environment, applied after hardening (e.g. GIT_AUTHOR_NAME). */
  env?: Readonly<Record<string, string>>;
  /** Extra configuration, passed through the environment (never argv). */
  config?: ReadonlyArray<readonly [key: string, value: string]>;
  /** Written to git's standard input. */
  input?: string;
  /** git is killed and the call fails when stdout grows beyond this; default 32 MiB. */
  maxOutputBytes?: number;
}

export interface GitResult {
  stdout: string;
  stderr: string;
}

export type GitFailureReason = "exit" | "timeout" | "aborted" | "spawn" | "output-limit";

/** A git command that failed; the message and stderr are redacted of credentials. */
export class GitError extends Error {
  readonly verb: string;
  readonly reason: GitFailureReason;
  readonly exitCode: number | null;
  readonly stderr: string;

  constructor(init: { verb: string; reason: GitFailureReason; exitCode: number | null; stderr: string }) {
    super(describeFailure(init));
    this.name = "GitError";
    this.verb = init.verb;
    this.reason = init.reason;
    this.exitCode = init.exitCode;
    this.stderr = init.stderr;
  }
}

export const defaultGitTimeoutMs = 60_000;
const defaultMaxOutputBytes = 32 * 1024 * 1024;
const maxStderrBytes = 64 * 1024;
const maxMessageDetail = 2_000;
const killGraceMs = 2_000;

/**
 * Runs `git <args>` without a shell, in a hardened environment, and resolves with its output;
 * rejects with a {@link GitError} when git fails, times out, is aborted or cannot be started.
 *
 * Callers must put `--end-of-options` before any user-controlled argument (URL, ref, path) where
 * the git subcommand supports it, so that a value starting with `-` is never read as an option.
 * With git 2.39, `checkout` does not support it: use `switch` instead.
 */
export async function runGit(args: readonly string[], options: GitRunOptions = {}): Promise<GitResult> {
  const { credentials, ...rest } = options;
  if (credentials) {
    return withCredentials(credentials, (auth) => runGit(args, { ...rest, auth }));
  }
  return spawnGit(args, options);
}

/**
 * Materialises credentials in a private temporary directory (mode 0700) for the duration of `fn`:
 * an askpass script and 0600 files holding the secrets, or a bearer-token header passed through
 * GIT_CONFIG_* environment variables. The directory is removed afterwards, whatever happens.
 */
export async function withCredentials<T>(
  credentials: GitCredentials,
  fn: (auth: GitAuth) => Promise<T>,
): Promise<T> {
  if ("bearerToken" in credentials) {
    return fn(bearerAuth(credentials.bearerToken));
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-git-auth-"));
  try {
    await chmod(dir, 0o700);
    return await fn(await writeAskpass(dir, credentials.username, credentials.password));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function bearerAuth(token: string): GitAuth {
  return {
    env: {},
    config: [["http.extraHeader", `Authorization: Bearer ${token}`]],
    secrets: [token],
  };
}

async function writeAskpass(dir: string, username: string, password: string): Promise<GitAuth> {
  const usernameFile = path.join(dir, "username");
  const passwordFile = path.join(dir, "password");
  const script = path.join(dir, "askpass.sh");
  await writeFile(usernameFile, username, { mode: 0o600, flag: "wx" });
  await writeFile(passwordFile, password, { mode: 0o600, flag: "wx" });
  const body = [
    "#!/bin/sh",
    'case "$1" in',
    `  Username*) exec cat ${shellQuote(usernameFile)} ;;`,
    `  *) exec cat ${shellQuote(passwordFile)} ;;`,
    "esac",
    "",
  ].join("\n");
  await writeFile(script, body, { mode: 0o700, flag: "wx" });
  return { env: { GIT_ASKPASS: script }, config: [], secrets: [username, password] };
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The environment every git process gets: `base` (default: this process's environment) without any
 * GIT_* variable or askpass helper, no system or global configuration, no terminal prompts, C locale.
 */
export function hardenedGitEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value === undefined || key.startsWith("GIT_") || key === "SSH_ASKPASS") continue;
    env[key] = value;
  }
  return {
    ...env,
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    // A user's ~/.gitconfig could add credential helpers that store our secrets, or rewrite URLs.
    GIT_CONFIG_GLOBAL: os.devNull,
    LC_ALL: "C",
    LANGUAGE: "C",
  };
}

/** Config entries as GIT_CONFIG_COUNT/KEY_n/VALUE_n variables (git ≥ 2.31), so values stay off argv. */
function configEnv(entries: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(entries.length) };
  entries.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

function buildEnv(options: GitRunOptions): Record<string, string> {
  const config: Array<readonly [string, string]> = [
    // An empty value clears credential helpers from repository config: nothing persists secrets.
    ["credential.helper", ""],
    ...(options.auth?.config ?? []),
    ...(options.config ?? []),
  ];
  return { ...hardenedGitEnv(), ...options.auth?.env, ...options.env, ...configEnv(config) };
}

/** The subcommand of an argument list, skipping global options such as `-C dir` and `-c k=v`. */
export function gitVerb(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "-C" || arg === "-c") i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return "git";
}

/** Removes URL userinfo and the given secrets from a text meant for people. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, "$1***@");
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length > 0) out = out.replaceAll(secret, "***");
  }
  return out;
}

function describeFailure(init: {
  verb: string;
  reason: GitFailureReason;
  exitCode: number | null;
  stderr: string;
}): string {
  const what: Record<GitFailureReason, string> = {
    exit: `exited with code ${init.exitCode ?? "?"}`,
    timeout: "timed out",
    aborted: "was aborted",
    spawn: "could not be started",
    "output-limit": "produced too much output",
  };
  const detail = init.stderr ? `: ${init.stderr.slice(-maxMessageDetail)}` : "";
  return `git ${init.verb} ${what[init.reason]}${detail}`;
}

/** Keeps the first `limit` bytes of a stream. */
class HeadBuffer {
  readonly #chunks: Buffer[] = [];
  readonly #limit: number;
  #size = 0;
  overflowed = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(chunk: Buffer): void {
    const room = this.#limit - this.#size;
    if (chunk.length > room) this.overflowed = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.#chunks.push(kept);
    this.#size += kept.length;
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString("utf8");
  }
}

/** Keeps roughly the last `limit` bytes of a stream: git's fatal message comes last. */
class TailBuffer {
  #data = Buffer.alloc(0);
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(chunk: Buffer): void {
    this.#data = Buffer.concat([this.#data, chunk]);
    if (this.#data.length > 2 * this.#limit) this.#data = this.#data.subarray(-this.#limit);
  }

  text(): string {
    return this.#data.toString("utf8");
  }
}

function spawnGit(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
  const verb = gitVerb(args);
  const secrets = options.auth?.secrets ?? [];
  return new Promise((resolve, reject) => {
    const fail = (reason: GitFailureReason, exitCode: number | null, stderr: string): void =>
      reject(new GitError({ verb, reason, exitCode, stderr: redact(stderr.trim(), secrets) }));
    if (options.signal?.aborted) {
      fail("aborted", null, "");
      return;
    }
    const child = spawn("git", args, {
      cwd: options.cwd,
      env: buildEnv(options),
      stdio: ["pipe", "pipe", "pipe"],
      // Own process group, so that a kill reaches helpers (remote-http, upload-pack) too, and no
      // controlling terminal to prompt on.
      detached: true,
    });
    const stdout = new HeadBuffer(options.maxOutputBytes ?? defaultMaxOutputBytes);
    const stderr = new TailBuffer(maxStderrBytes);
    let stopReason: GitFailureReason | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const stop = (reason: GitFailureReason): void => {
      if (stopReason) return;
      stopReason = reason;
      killGroup(child.pid, "SIGTERM");
      killTimer = setTimeout(() => killGroup(child.pid, "SIGKILL"), killGraceMs);
    };
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs ?? defaultGitTimeoutMs);
    const onAbort = (): void => stop("aborted");
    options.signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout.on("data", (chunk: Buffer) => {
      stdout.push(chunk);
      if (stdout.overflowed) stop("output-limit");
    });
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on("error", () => {}); // git may exit before reading its input; the exit code tells.
    child.stdin.end(options.input);
    child.on("error", (err) => {
      stopReason ??= "spawn";
      stderr.push(Buffer.from(err.message));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener("abort", onAbort);
      if (stopReason) fail(stopReason, code, stderr.text());
      else if (code !== 0) fail("exit", code, stderr.text());
      else resolve({ stdout: stdout.text(), stderr: redact(stderr.text(), secrets) });
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

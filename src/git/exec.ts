import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describeProcessFailure, ProcessError, runProcess, type ProcessFailure } from "../process/run.ts";
import { shellQuote } from "../common/shell-quote.ts";

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

export type GitFailureReason = ProcessFailure;

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
const maxMessageDetail = 2_000;

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
  const detail = init.stderr ? `: ${init.stderr.slice(-maxMessageDetail)}` : "";
  return `git ${init.verb} ${describeProcessFailure(init.reason, init.exitCode)}${detail}`;
}

async function spawnGit(args: readonly string[], options: GitRunOptions): Promise<GitResult> {
  const verb = gitVerb(args);
  const secrets = options.auth?.secrets ?? [];
  try {
    const { stdout, stderr } = await runProcess("git", args, {
      cwd: options.cwd,
      env: buildEnv(options),
      timeoutMs: options.timeoutMs ?? defaultGitTimeoutMs,
      signal: options.signal,
      input: options.input,
      maxOutputBytes: options.maxOutputBytes,
    });
    return { stdout, stderr: redact(stderr, secrets) };
  } catch (err) {
    if (!(err instanceof ProcessError)) throw err;
    throw new GitError({
      verb,
      reason: err.failure,
      exitCode: err.exitCode,
      stderr: redact(err.stderr.trim(), secrets),
    });
  }
}

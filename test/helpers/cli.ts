/** Running `bin/sluice` (and kubectl) as a user would, for the CLI tests: subprocesses, never a shell. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TestContext } from "node:test";
import type { DevEnv } from "../../src/dev/env-file.ts";
import type { KubeClient } from "../../src/kube/client.ts";
import { repoRoot, testEnv } from "./env.ts";
import { adminClient, testNamespace } from "./kube.ts";
import { ensureCrds } from "./server.ts";

export const sluiceBin = path.join(repoRoot, "bin/sluice");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command (by default bin/sluice) with `input` (or nothing) on stdin, never through a shell. */
export function run(
  args: string[],
  options: { command?: string; input?: string | undefined } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.command ?? sluiceBin, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** `sluice` with `words` split on spaces, then `rest` as given (values that may hold spaces). */
export const sluice = (words: string, ...rest: string[]): Promise<Run> =>
  run([...words.split(/\s+/).filter(Boolean), ...rest]);

/** The environment's kubectl against its cluster, with `input` on stdin. */
export const kubectl = (env: DevEnv, args: string[], input?: string): Promise<Run> =>
  run(["--kubeconfig", env.kubeconfig, ...args], { command: env.kubectl, input });

/** The flags that point a command at the environment's cluster and one namespace. */
/** `sluice bootstrap git` of `url` into `clusters/demo`, with the environment's git credentials. */
export const bootstrapGit = (
  env: Pick<DevEnv, "gitUsername" | "gitPassword">,
  url: string,
  extra: string[],
) =>
  run([
    ...["bootstrap", "git", "--url", url, "--path", "clusters/demo"],
    ...["-u", env.gitUsername, "-p", env.gitPassword, ...extra],
  ]);

export const kubeFlags = (env: DevEnv, ns: string): string[] => ["--kubeconfig", env.kubeconfig, "-n", ns];

export interface CliCluster {
  env: DevEnv;
  client: KubeClient;
  /** a fresh namespace, deleted when the test ends */
  ns: string;
  /** `--kubeconfig FILE -n NS` */
  kube: string[];
}

/** The environment's cluster with a namespace of the test's own (and, with `crds`, Sluice's CRDs). */
export async function cliCluster(
  t: TestContext,
  prefix: string,
  options: { crds?: boolean } = {},
): Promise<CliCluster> {
  const env = await testEnv();
  const client = await adminClient(t);
  if (options.crds) await ensureCrds(client);
  const ns = await testNamespace(t, client, prefix);
  return { env, client, ns, kube: kubeFlags(env, ns) };
}

/** A run's exit code and output, for assertion messages. */
export const show = (r: Run): string => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

/** Asserts the exit code and, when given, a pattern the standard error must match. */
export function expectExit(r: Run, code: number, pattern?: RegExp): void {
  assert.equal(r.code, code, show(r));
  if (pattern) assert.match(r.stderr, pattern, show(r));
}

/** The table rows of `get` output, split on runs of two or more spaces. */
export function rows(stdout: string): string[][] {
  return stdout
    .trim()
    .split("\n")
    .map((l) => l.split(/\s{2,}/));
}

/** Asserts a successful run whose table has a row that starts with `cells`. */
export function expectRow(r: Run, ...cells: string[]): void {
  expectExit(r, 0);
  const found = rows(r.stdout).some((row) => cells.every((cell, i) => row[i] === cell));
  assert.ok(found, `no row starts with ${cells.join(" ")}\n${show(r)}`);
}

/** A temporary directory removed when the test ends. */
export async function tempDir(t: TestContext, prefix = "sluice-cli-"): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A HOME of the test's own for `sluice ci` (its targets file), restored when the test ends; the
 * cache of installed tools stays the real one.
 */
export async function ciHome(t: TestContext): Promise<string> {
  const home = await tempDir(t, "sluice-ci-home-");
  const saved = { HOME: process.env["HOME"], SLUICE_CACHE: process.env["SLUICE_CACHE"] };
  process.env["SLUICE_CACHE"] ??= path.join(saved.HOME ?? "/root", ".cache/sluice");
  process.env["HOME"] = home;
  t.after(() => {
    process.env["HOME"] = saved.HOME;
    if (saved.SLUICE_CACHE === undefined) delete process.env["SLUICE_CACHE"];
  });
  return home;
}

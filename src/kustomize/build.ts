import os from "node:os";
import type { KubeObject } from "../kube/objects.ts";
import { BuildError } from "./errors.ts";
import { ProcessError, runProcess } from "../process/run.ts";
import type { Semaphore } from "../common/semaphore.ts";
import { kustomizeBuilds } from "./limiter.ts";
import { assertLocalOnly } from "./references.ts";
import { isPlainObject, parseYamlDocuments, yamlData } from "./yaml.ts";

export interface KustomizeBuildOptions {
  /** The kustomize v5 binary. */
  binary: string;
  /** The workspace: nothing outside it may be read. */
  root: string;
  /** The directory to build, inside `root`, holding a kustomization file. */
  dir: string;
  /** Limits the kustomize process (not the wait for a slot); default {@link defaultBuildTimeoutMs}. */
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Bounds kustomize's output; default {@link defaultMaxOutputBytes}. */
  maxOutputBytes?: number | undefined;
  /** Bounds concurrent builds; the process-wide {@link kustomizeBuilds} by default. */
  limiter?: Semaphore | undefined;
}

export const defaultBuildTimeoutMs = 60_000;
export const defaultMaxOutputBytes = 64 * 1024 * 1024;
const maxMessageDetail = 2_000;

/**
 * `kustomize build --load-restrictor LoadRestrictionsRootOnly <dir>` after {@link assertLocalOnly},
 * parsed into objects. Failures are {@link BuildError}s carrying kustomize's message.
 */
export async function kustomizeBuild(options: KustomizeBuildOptions): Promise<KubeObject[]> {
  await assertLocalOnly(options.root, options.dir);
  const release = await (options.limiter ?? kustomizeBuilds).acquire(options.signal);
  let output: string;
  try {
    ({ stdout: output } = await runProcess(
      options.binary,
      ["build", "--load-restrictor", "LoadRestrictionsRootOnly", "--", options.dir],
      {
        cwd: options.dir,
        env: kustomizeEnv(options.root),
        timeoutMs: options.timeoutMs ?? defaultBuildTimeoutMs,
        signal: options.signal,
        maxOutputBytes: options.maxOutputBytes ?? defaultMaxOutputBytes,
      },
    ));
  } catch (err) {
    throw err instanceof ProcessError ? buildError(err, options) : err;
  } finally {
    release();
  }
  return parseBuildOutput(output);
}

/**
 * Nothing of this process's environment: no credentials, no plugin directories, and network
 * access that fails fast should a remote reference slip past {@link assertLocalOnly}.
 */
function kustomizeEnv(root: string): Record<string, string> {
  const deadProxy = "http://127.0.0.1:9";
  return {
    PATH: "/usr/bin:/bin",
    HOME: root,
    XDG_CONFIG_HOME: root,
    TMPDIR: os.tmpdir(),
    LC_ALL: "C",
    HTTP_PROXY: deadProxy,
    HTTPS_PROXY: deadProxy,
    http_proxy: deadProxy,
    https_proxy: deadProxy,
    GIT_ALLOW_PROTOCOL: "none",
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: os.devNull,
  };
}

function buildError(err: ProcessError, options: KustomizeBuildOptions): BuildError {
  const stderr = cleanStderr(err.stderr, options.root);
  const timeoutMs = options.timeoutMs ?? defaultBuildTimeoutMs;
  const maxOutputBytes = options.maxOutputBytes ?? defaultMaxOutputBytes;
  const what: Record<ProcessError["failure"], string> = {
    exit: "kustomize build failed",
    timeout: `kustomize build timed out after ${timeoutMs / 1000}s`,
    aborted: "kustomize build was aborted",
    spawn: `kustomize could not be started (${options.binary})`,
    "output-limit": `kustomize build produced more than ${Math.round(maxOutputBytes / (1024 * 1024))} MiB of manifests`,
  };
  const detail = stderr ? `: ${stderr.slice(-maxMessageDetail)}` : "";
  return new BuildError(err.failure, `${what[err.failure]}${detail}`, stderr);
}

/** kustomize's message without its "Error: " prefix and with workspace paths relative to the artifact root. */
export function cleanStderr(stderr: string, root: string): string {
  return stderr
    .trim()
    .replace(/^Error: /gm, "")
    .replaceAll(`${root}/`, "")
    .replaceAll(root, ".");
}

/** The objects of kustomize's multi-document output; each needs an apiVersion, a kind and a name. */
export function parseBuildOutput(output: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const document of parseYamlDocuments(output, "kustomize output")) {
    if (document.errors.length > 0)
      throw new BuildError(
        "invalid-output",
        `kustomize output is not valid YAML: ${document.errors[0]?.message}`,
      );
    const value = yamlData(document, "kustomize output");
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value))
      throw new BuildError(
        "invalid-output",
        `kustomize produced an object without apiVersion, kind and metadata.name: ${describe(value)}`,
      );
    objects.push(value);
  }
  return objects;
}

function isKubeObject(value: unknown): value is KubeObject {
  if (!isPlainObject(value) || !isPlainObject(value["metadata"])) return false;
  const name = value["metadata"]["name"];
  return (
    typeof value["apiVersion"] === "string" &&
    value["apiVersion"] !== "" &&
    typeof value["kind"] === "string" &&
    value["kind"] !== "" &&
    typeof name === "string" &&
    name !== ""
  );
}

function describe(value: unknown): string {
  if (!isPlainObject(value)) return Array.isArray(value) ? "a list" : `a ${typeof value}`;
  const kind = typeof value["kind"] === "string" ? value["kind"] : "?";
  const meta = isPlainObject(value["metadata"]) ? value["metadata"] : {};
  return `${kind}/${typeof meta["name"] === "string" ? meta["name"] : "?"}`;
}

/**
 * Concourse's `concourse/oci-build-task`, served by Sluice's builder instead of its image: a task
 * whose image is oci-build-task and whose `run.path` is `build` is configured by its params
 * (CONTEXT, DOCKERFILE, BUILD_ARG_*, BUILD_ARGS_FILE, TARGET, TARGET_FILE, LABEL_*, LABELS_FILE,
 * OUTPUT_OCI, UNPACK_ROOTFS) and writes the `image` output as the task does: `image.tar` (docker
 * format) or `image/` (OCI layout), `digest`, and `rootfs/` + `metadata.json` when unpacking.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TaskConfig } from "../pipeline/task-config.ts";
import {
  ImageBuildError,
  type ImageBuilder,
  type ImageBuildResult,
  type ImageOutput,
} from "./image-builder.ts";
import { layoutRuntimeConfig } from "./layout-config.ts";
import { resolveTaskPath, type TaskMount } from "./task-paths.ts";
import type { Credentials } from "../../oci/auth.ts";

const ociBuildTaskRepository =
  /^(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\/)?(?:concourse|vito)\/oci-build-task$/;

/** True for a task Sluice's builder runs itself: oci-build-task's image with `run.path: build`. */
export function isOciBuildTask(config: TaskConfig): boolean {
  const image = config.image_resource;
  if (!image || !["registry-image", "docker-image"].includes(image.type)) return false;
  const repository = image.source["repository"];
  return (
    typeof repository === "string" &&
    ociBuildTaskRepository.test(repository.replace(/[:@].*$/, "")) &&
    config.run?.path === "build"
  );
}

export interface OciBuildTaskRun {
  /** The task's environment: its params, stringified as Concourse does. */
  params: Readonly<Record<string, string>>;
  /** The task's inputs, outputs and caches at their paths. */
  mounts: readonly TaskMount[];
  builder: ImageBuilder;
  registryAuth?: ReadonlyMap<string, Credentials> | undefined;
  signal?: AbortSignal | undefined;
  log?: ((line: string) => void) | undefined;
}

const truthy = (value: string | undefined): boolean =>
  value !== undefined && /^(true|1|yes)$/i.test(value.trim());

/** `KEY=value` lines; blank lines and `#` comments are skipped. */
function parseAssignments(text: string, file: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const equals = line.indexOf("=");
    if (equals <= 0)
      throw new ImageBuildError(`${file}:${index + 1}: expected KEY=value, got ${JSON.stringify(line)}`);
    result[line.slice(0, equals)] = line.slice(equals + 1);
  }
  return result;
}

function prefixed(params: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params)
      .filter(([key]) => key.startsWith(prefix) && key.length > prefix.length)
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
}

async function readTaskFile(run: OciBuildTaskRun, param: string): Promise<string | undefined> {
  const relative = run.params[param];
  if (!relative) return undefined;
  const file = resolveTaskPath(run.mounts, relative);
  try {
    return await readFile(file, "utf8");
  } catch {
    throw new ImageBuildError(`${param}: cannot read ${relative}`);
  }
}

async function buildArgs(run: OciBuildTaskRun): Promise<Record<string, string>> {
  const file = await readTaskFile(run, "BUILD_ARGS_FILE");
  const fromFile = file === undefined ? {} : parseAssignments(file, run.params["BUILD_ARGS_FILE"]!);
  return { ...fromFile, ...prefixed(run.params, "BUILD_ARG_") };
}

async function labels(run: OciBuildTaskRun): Promise<Record<string, string>> {
  const file = await readTaskFile(run, "LABELS_FILE");
  const fromFile = file === undefined ? {} : parseAssignments(file, run.params["LABELS_FILE"]!);
  return { ...fromFile, ...prefixed(run.params, "LABEL_") };
}

async function target(run: OciBuildTaskRun): Promise<string | undefined> {
  if (run.params["TARGET"]) return run.params["TARGET"];
  return (await readTaskFile(run, "TARGET_FILE"))?.trim() || undefined;
}

/**
 * What the `image` output receives. Unpacking also needs the image's config for `metadata.json`:
 * it is read from an OCI layout, the output's own or one in `scratchDir`.
 */
function outputsFor(imageDir: string, scratchDir: string, params: Readonly<Record<string, string>>) {
  const layout = truthy(params["OUTPUT_OCI"]) ? path.join(imageDir, "image") : undefined;
  const outputs: ImageOutput[] = layout
    ? [{ kind: "oci-layout", dir: layout }]
    : [{ kind: "docker-tarball", file: path.join(imageDir, "image.tar"), name: "image" }];
  if (!truthy(params["UNPACK_ROOTFS"])) return { outputs, configLayout: undefined };
  outputs.push({ kind: "rootfs", dir: path.join(imageDir, "rootfs") });
  if (layout) return { outputs, configLayout: layout };
  const configLayout = path.join(scratchDir, "layout");
  outputs.push({ kind: "oci-layout", dir: configLayout });
  return { outputs, configLayout };
}

export async function runOciBuildTask(run: OciBuildTaskRun): Promise<ImageBuildResult> {
  const unsupported = Object.keys(run.params).filter((key) => key.startsWith("IMAGE_ARG_"));
  if (unsupported.length > 0) {
    throw new ImageBuildError(
      `${unsupported.join(", ")}: image tarballs as build args are not supported yet; push the base image and name it in FROM`,
    );
  }
  const contextPath = run.params["CONTEXT"] || ".";
  const contextDir = resolveTaskPath(run.mounts, contextPath);
  const dockerfile = resolveTaskPath(
    run.mounts,
    run.params["DOCKERFILE"] || path.posix.join(contextPath, "Dockerfile"),
  );
  const imageDir = resolveTaskPath(run.mounts, "image");
  await mkdir(imageDir, { recursive: true });
  if (run.params["REGISTRY_MIRRORS"]) {
    run.log?.(
      "REGISTRY_MIRRORS is ignored: base images come through the server's --registry-mirror settings",
    );
  }
  const cache = run.mounts.find((mount) => path.posix.normalize(mount.path) === "cache");
  const scratchDir = await mkdtemp(path.join(os.tmpdir(), "sluice-oci-build-"));
  try {
    const { outputs, configLayout } = outputsFor(imageDir, scratchDir, run.params);
    const result = await run.builder.build({
      contextDir,
      dockerfile,
      target: await target(run),
      buildArgs: await buildArgs(run),
      labels: await labels(run),
      cacheDir: cache?.dir,
      outputs,
      registryAuth: run.registryAuth,
      signal: run.signal,
      log: run.log,
    });
    await writeFile(path.join(imageDir, "digest"), result.configDigest ?? result.digest ?? "");
    if (configLayout) {
      const { env, user } = await layoutRuntimeConfig(configLayout);
      const metadata = { env, user: user ?? "" };
      await writeFile(path.join(imageDir, "metadata.json"), `${JSON.stringify(metadata)}\n`);
    }
    return result;
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

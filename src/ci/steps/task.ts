/**
 * `task:` on the local worker, or as a Pod on the Kubernetes worker (pod-task.ts). The task's inputs (through `input_mapping`), outputs (new
 * artifacts, through `output_mapping`) and caches (kept per pipeline, job, step and path) are
 * mounted at their paths under a fresh working directory; the task runs in a container of its
 * image (`image_resource`, or the `image:` artifact), its output streaming into the build log.
 * oci-build-task is run by Sluice's image builder itself. A non-zero exit is `failed`.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { logLine, type LeafStep, type Outcome, type RunContext, type StepRunnerOf } from "../build/index.ts";
import { interruption } from "../build/outcome.ts";
import { resolveFlag } from "../build/resolve.ts";
import { ImageBuildError, type ImageBuilder } from "../builder/image-builder.ts";
import { isOciBuildTask, runOciBuildTask } from "../builder/oci-build-task.ts";
import { TaskPathError, type TaskMount } from "../builder/task-paths.ts";
import type { TaskConfig } from "../pipeline/task-config.ts";
import { containerEnv } from "../sandbox/container/container-env.ts";
import { missingCommand } from "../sandbox/container/image-path.ts";
import { resolveImageUser } from "../sandbox/container/image-user.ts";
import type { TaskCaches } from "../sandbox/volumes/task-caches.ts";
import { SandboxStopped, type Sandbox } from "../sandbox/container/sandbox.ts";
import type { RootfsLease, RootfsProvider } from "../sandbox/image.ts";
import { artifactRootfs } from "../sandbox/rootfs/artifact-rootfs.ts";
import { ExecError } from "../../kube/exec.ts";
import { PodTaskError } from "../pods/pod-worker.ts";
import { taskLimits } from "./container-limits.ts";
import { runsAsPod, runTaskPod, type PodTasks } from "./pod-task.ts";
import { resolveTask, TaskConfigError } from "./task-config.ts";

export interface TaskStepOptions {
  images: RootfsProvider;
  builder: ImageBuilder;
  sandbox: Sandbox;
  caches: TaskCaches;
  /** The Kubernetes worker, when the server has one. */
  pods?: PodTasks | undefined;
}

const dayMs = 24 * 60 * 60 * 1000;
const relativePath = (name: string, configured: string | undefined) =>
  path.posix.normalize(configured ?? name);

interface TaskVolumes {
  /** Inputs, outputs and caches at their paths relative to the working directory. */
  mounts: TaskMount[];
  /** Output name → the directory allocated for it. */
  outputs: Map<string, string>;
  /** The mounts whose contents outlive the task: outputs and caches. */
  kept: TaskMount[];
  /** Ends the task's use of its caches. */
  release: () => void;
}

function inputMounts(step: LeafStep<"task">, config: TaskConfig, ctx: RunContext): TaskMount[] {
  const mapping = step.config.input_mapping ?? {};
  const missing: string[] = [];
  const mounts: TaskMount[] = [];
  for (const input of config.inputs ?? []) {
    const artifact = mapping[input.name] ?? input.name;
    const dir = ctx.build.artifacts.directory(artifact);
    if (dir === undefined) {
      if (input.optional !== true)
        missing.push(artifact === input.name ? input.name : `${input.name} (${artifact})`);
      continue;
    }
    mounts.push({ path: relativePath(input.name, input.path), dir });
  }
  if (missing.length > 0) throw new TaskConfigError(`missing inputs: ${missing.join(", ")}`);
  return mounts;
}

async function taskVolumes(step: LeafStep<"task">, config: TaskConfig, ctx: RunContext, caches: TaskCaches) {
  const releases: (() => void)[] = [];
  const volumes: TaskVolumes = {
    mounts: inputMounts(step, config, ctx),
    outputs: new Map(),
    kept: [],
    release: () => releases.forEach((release) => release()),
  };
  for (const output of config.outputs ?? []) {
    const dir = await ctx.build.artifacts.allocate(output.name);
    volumes.outputs.set(output.name, dir);
    volumes.kept.push({ path: relativePath(output.name, output.path), dir });
  }
  const { identity } = ctx.build;
  for (const cache of config.caches ?? []) {
    const cachePath = path.posix.normalize(cache.path);
    const { dir, release } = await caches.acquire({
      team: identity.team,
      pipeline: identity.pipeline,
      job: identity.job,
      buildId: identity.buildId,
      step: step.config.task,
      path: cachePath,
    });
    releases.push(release);
    volumes.kept.push({ path: cachePath, dir });
  }
  volumes.mounts.push(...volumes.kept);
  return volumes;
}

function registerOutputs(step: LeafStep<"task">, volumes: TaskVolumes, ctx: RunContext): void {
  const mapping = step.config.output_mapping ?? {};
  for (const [name, dir] of volumes.outputs) ctx.build.artifacts.register(mapping[name] ?? name, dir);
}

async function leaseImage(
  step: LeafStep<"task">,
  config: TaskConfig,
  ctx: RunContext,
  images: RootfsProvider,
): Promise<RootfsLease> {
  const artifact = step.config.image;
  if (artifact !== undefined) {
    const dir = ctx.build.artifacts.directory(artifact);
    if (dir === undefined) throw new TaskConfigError(`image: unknown artifact source: ${artifact}`);
    return artifactRootfs(artifact, dir);
  }
  const image = config.image_resource;
  if (!image)
    throw new TaskConfigError(
      "the task names no image: set image_resource in its config or image on the step",
    );
  if (!["registry-image", "docker-image"].includes(image.type)) {
    throw new TaskConfigError(
      `image_resource type ${image.type}: only registry-image and docker-image images can run tasks here`,
    );
  }
  return images.acquire(
    { source: image.source, version: image.version },
    { signal: ctx.signal, log: (line) => logLine(ctx, line) },
  );
}

function command(config: TaskConfig, lease: RootfsLease): string[] {
  const run = config.run;
  if (run?.path) return [run.path, ...(run.args ?? [])];
  const fallback = [...(lease.config.entrypoint ?? []), ...(run?.args ?? lease.config.cmd ?? [])];
  if (fallback.length === 0)
    throw new TaskConfigError("the task has no run.path and its image no entrypoint or command");
  return fallback;
}

async function runInContainer(
  step: LeafStep<"task">,
  task: Awaited<ReturnType<typeof resolveTask>>,
  volumes: TaskVolumes,
  lease: RootfsLease,
  ctx: RunContext,
  options: TaskStepOptions,
): Promise<number> {
  const { config } = task;
  const workingDir = `/tmp/build/${randomBytes(4).toString("hex")}`;
  const user = await resolveImageUser(lease.rootfs, config.run?.user ?? lease.config.user);
  const limits = await taskLimits(step, config, ctx);
  const unbounded = options.sandbox.limitsUnavailable;
  if (limits && unbounded)
    logLine(ctx, `container_limits are not enforced on this worker: ${unbounded}`, "stderr");
  const env = containerEnv(lease.config.env, user, task.params);
  const argv = command(config, lease);
  const missing = await missingCommand(lease.rootfs, argv[0]!, env);
  if (missing) throw new TaskConfigError(`cannot run the task: ${missing}`);
  const { exitCode, notes } = await options.sandbox.run({
    rootfs: lease.rootfs,
    limits,
    owner: {
      team: ctx.build.identity.team,
      buildId: ctx.build.identity.buildId,
      pipeline: ctx.build.identity.pipeline?.name,
      job: ctx.build.identity.job?.name,
      step: `task ${step.config.task}`,
    },
    mounts: volumes.mounts.map((mount) => ({
      source: mount.dir,
      target: path.posix.join(workingDir, mount.path),
    })),
    env,
    user,
    cwd: path.posix.join(workingDir, config.run?.dir ?? "."),
    argv,
    privileged: await resolveFlag(step.config.privileged, "privileged", ctx),
    hostname: randomBytes(6).toString("hex"),
    hosts: ctx.build.hosts,
    signal: ctx.signal,
    timeoutMs: dayMs,
    onLine: ({ stream, line }) => logLine(ctx, line, stream),
  });
  for (const note of notes) logLine(ctx, note, "stderr");
  return exitCode;
}

/** oci-build-task without its image: the builder's verdict is the task's, its output the task's log. */
async function runBuildTask(
  step: LeafStep<"task">,
  params: Record<string, string>,
  volumes: TaskVolumes,
  ctx: RunContext,
  builder: ImageBuilder,
): Promise<Outcome> {
  logLine(ctx, "oci-build-task: building with Sluice's image builder");
  try {
    const log = (line: string) => logLine(ctx, line);
    await runOciBuildTask({ params, mounts: volumes.mounts, builder, signal: ctx.signal, log });
  } catch (error) {
    const interrupted = interruption(ctx.signal);
    if (interrupted) return interrupted;
    if (!(error instanceof ImageBuildError || error instanceof TaskPathError)) throw error;
    logLine(ctx, error.message, "stderr");
    return "failed";
  }
  registerOutputs(step, volumes, ctx);
  return "succeeded";
}

/** The last line of a failed task's log; `exitStatusOf` reads it back for local runs. */
const exitStatusLine = (code: number) => `exit status ${code}`;

export function exitStatusOf(line: string): number | undefined {
  const match = /^exit status (\d+)$/.exec(line);
  return match ? Number(match[1]) : undefined;
}

export function taskStepRunner(options: TaskStepOptions): StepRunnerOf<"task"> {
  return async (step: LeafStep<"task">, ctx: RunContext): Promise<Outcome> => {
    const task = await resolveTask(step, ctx);
    const volumes = await taskVolumes(step, task.config, ctx, options.caches);
    try {
      if (isOciBuildTask(task.config) && step.config.image === undefined) {
        return await runBuildTask(step, task.params, volumes, ctx, options.builder);
      }
      if (runsAsPod(step, options.pods)) {
        const mounts = { in: volumes.mounts.filter((m) => !volumes.kept.includes(m)), out: volumes.kept };
        return await finishTask(step, volumes, ctx, () =>
          runTaskPod(step, task, mounts, ctx, options.pods!.worker),
        );
      }
      return await runTaskContainer(step, task, volumes, ctx, options);
    } finally {
      volumes.release();
    }
  };
}

async function runTaskContainer(
  step: LeafStep<"task">,
  task: Awaited<ReturnType<typeof resolveTask>>,
  volumes: TaskVolumes,
  ctx: RunContext,
  options: TaskStepOptions,
): Promise<Outcome> {
  const lease = await leaseImage(step, task.config, ctx, options.images);
  try {
    return await finishTask(step, volumes, ctx, () =>
      runInContainer(step, task, volumes, lease, ctx, options),
    );
  } finally {
    lease.release();
  }
}

/** The outcome of a task's run on either worker: its exit status, or errored when the worker stopped it. */
async function finishTask(
  step: LeafStep<"task">,
  volumes: TaskVolumes,
  ctx: RunContext,
  run: () => Promise<number>,
): Promise<Outcome> {
  const exitCode = await run().catch((error: unknown) => {
    const interrupted = interruption(ctx.signal);
    if (interrupted) return interrupted;
    if (!(error instanceof SandboxStopped || error instanceof PodTaskError || error instanceof ExecError))
      throw error;
    logLine(ctx, error.message, "stderr");
    return "errored" as const;
  });
  registerOutputs(step, volumes, ctx);
  if (typeof exitCode === "string") return exitCode;
  if (exitCode !== 0) logLine(ctx, exitStatusLine(exitCode), "stderr");
  return exitCode === 0 ? "succeeded" : "failed";
}

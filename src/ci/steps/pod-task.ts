/**
 * `task:` on the Kubernetes worker: the task's config as a Pod of its `image_resource`, its
 * inputs copied in and its outputs and caches copied back (see ../pods). A step goes there when
 * it is tagged `kubernetes`, or every container task does when the server says so.
 */
import { randomBytes } from "node:crypto";
import { logLine, type LeafStep, type RunContext } from "../build/index.ts";
import { resolveFlag } from "../build/resolve.ts";
import type { TaskMount } from "../builder/task-paths.ts";
import type { TaskConfig } from "../pipeline/task-config.ts";
import type { PodWorker } from "../pods/pod-worker.ts";
import { taskLimits } from "./container-limits.ts";
import { TaskConfigError } from "./task-config.ts";

/** The worker tag that sends a step to the Kubernetes worker. */
export const kubernetesTag = "kubernetes";

export interface PodTasks {
  worker: PodWorker;
  /** Every container task runs as a Pod, tagged or not. */
  byDefault: boolean;
}

/** Whether the step runs as a Pod; a step tagged for a worker this server lacks is an error. */
export function runsAsPod(step: LeafStep<"task">, pods: PodTasks | undefined): boolean {
  const tagged = step.config.tags?.includes(kubernetesTag) ?? false;
  if (tagged && !pods)
    throw new TaskConfigError(
      `tags: [${kubernetesTag}]: this server has no Kubernetes worker (start sluice server with --task-pods-namespace NAMESPACE)`,
    );
  return pods !== undefined && (tagged || pods.byDefault);
}

function imageReference(step: LeafStep<"task">, config: TaskConfig, ctx: RunContext): string {
  if (step.config.image !== undefined)
    throw new TaskConfigError(
      `image: ${step.config.image}: an artifact cannot be the image of a task on the Kubernetes worker; push it and name it in image_resource`,
    );
  const image = config.image_resource;
  if (!image || !["registry-image", "docker-image"].includes(image.type))
    throw new TaskConfigError(
      "a task on the Kubernetes worker needs an image_resource of type registry-image",
    );
  const { repository, tag, username } = image.source;
  if (typeof repository !== "string")
    throw new TaskConfigError("image_resource.source.repository is missing");
  if (username !== undefined)
    logLine(
      ctx,
      "the node pulls the image with the namespace's image pull secrets, not image_resource's credentials",
    );
  const digest = (image.version as Record<string, unknown> | undefined)?.["digest"];
  return typeof digest === "string"
    ? `${repository}@${digest}`
    : `${repository}:${typeof tag === "string" ? tag : "latest"}`;
}

function runAsUser(config: TaskConfig): number | undefined {
  const user = config.run?.user;
  if (user === undefined) return undefined;
  if (!/^\d+$/.test(user))
    throw new TaskConfigError(
      `run.user: ${user}: the Kubernetes worker runs tasks as a numeric user ID only`,
    );
  return Number(user);
}

const dns1123 = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");

export async function runTaskPod(
  step: LeafStep<"task">,
  task: { config: TaskConfig; params: Record<string, string> },
  mounts: { in: TaskMount[]; out: TaskMount[] },
  ctx: RunContext,
  worker: PodWorker,
): Promise<number> {
  const { config } = task;
  const { identity } = ctx.build;
  const limits = await taskLimits(step, config, ctx);
  const name = `task-${identity.buildId}-${dns1123(step.config.task).slice(0, 30)}-${randomBytes(3).toString("hex")}`;
  const { exitCode, notes } = await worker.run({
    pod: {
      name: name.replace(/--+/g, "-"),
      labels: { "app.kubernetes.io/managed-by": "sluice", "sluice.dev/build-id": String(identity.buildId) },
      image: imageReference(step, config, ctx),
      ...(config.run?.path ? { command: [config.run.path] } : {}),
      args: config.run?.args,
      env: task.params,
      workingDir: `/tmp/build/${randomBytes(4).toString("hex")}`,
      runDir: config.run?.dir,
      runAsUser: runAsUser(config),
      privileged: await resolveFlag(step.config.privileged, "privileged", ctx),
      cpuShares: limits?.cpuShares,
      memoryBytes: limits?.memoryBytes,
    },
    mountsIn: mounts.in.map(({ dir, path }) => ({ dir, path })),
    mountsOut: mounts.out.map(({ dir, path }) => ({ dir, path })),
    signal: ctx.signal,
    log: (line) => logLine(ctx, line),
  });
  for (const note of notes) logLine(ctx, note, "stderr");
  return exitCode;
}

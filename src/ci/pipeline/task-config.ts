/**
 * A task's configuration (`config:` on a task step, or the file named by `file:`), as
 * Concourse's atc.TaskConfig reads it. Unknown fields are errors, so typos such as `ouputs` are caught.
 */
import { z } from "zod";
import { Config, Count, Flag, GoDuration, Tags, Version } from "./fields.ts";

export const ImageResource = z.strictObject({
  name: z.string().optional(),
  type: z.string(),
  source: Config,
  version: Version.optional(),
  params: Config.optional(),
  tags: Tags.optional(),
});
export type ImageResource = z.infer<typeof ImageResource>;

/** `cpu` in shares; `memory` in bytes or with a unit (`1GB`, `512Mi`). */
export const ContainerLimits = z.strictObject({
  cpu: Count.optional(),
  memory: z
    .union([z.int(), z.string()], { error: "expected a number of bytes or a size such as 1GB" })
    .optional(),
});
export type ContainerLimits = z.infer<typeof ContainerLimits>;

export const TaskInput = z.strictObject({
  name: z.string(),
  path: z.string().optional(),
  optional: Flag.optional(),
});
export type TaskInput = z.infer<typeof TaskInput>;

export const TaskOutput = z.strictObject({ name: z.string(), path: z.string().optional() });
export type TaskOutput = z.infer<typeof TaskOutput>;

export const TaskCache = z.strictObject({ path: z.string(), ttl: GoDuration.optional() });
export type TaskCache = z.infer<typeof TaskCache>;

export const TaskRun = z.strictObject({
  path: z.string().optional(),
  args: z.array(z.string()).optional(),
  dir: z.string().optional(),
  user: z.string().optional(),
});
export type TaskRun = z.infer<typeof TaskRun>;

/** Environment variables: Concourse turns any scalar into its string form. */
export const TaskParams = z.record(z.string(), z.unknown());
export type TaskParams = z.infer<typeof TaskParams>;

export const TaskConfig = z.strictObject({
  platform: z.string(),
  image_resource: ImageResource.optional(),
  rootfs_uri: z.string().optional(),
  container_limits: ContainerLimits.optional(),
  params: TaskParams.optional(),
  run: TaskRun.optional(),
  inputs: z.array(TaskInput).optional(),
  outputs: z.array(TaskOutput).optional(),
  caches: z.array(TaskCache).optional(),
});
export type TaskConfig = z.infer<typeof TaskConfig>;

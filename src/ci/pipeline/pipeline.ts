/**
 * A Concourse pipeline as atc/config.go reads it. Unknown top-level keys are dropped (people keep
 * YAML anchors there); unknown fields anywhere below are errors.
 */
import { z } from "zod";
import { CheckEvery, Config, Count, Flag, GoDuration, Tags, Version } from "./fields.ts";
import { Step } from "./steps.ts";

export const Resource = z.strictObject({
  name: z.string(),
  old_name: z.string().optional(),
  type: z.string(),
  source: Config.optional(),
  icon: z.string().optional(),
  check_every: CheckEvery.optional(),
  check_timeout: GoDuration.optional(),
  tags: Tags.optional(),
  public: Flag.optional(),
  webhook_token: z.string().optional(),
  version: Version.optional(),
  expose_build_created_by: Flag.optional(),
});
export type Resource = z.infer<typeof Resource>;

export const ResourceType = z.strictObject({
  name: z.string(),
  type: z.string(),
  source: Config.optional(),
  defaults: Config.optional(),
  privileged: Flag.optional(),
  params: Config.optional(),
  check_every: CheckEvery.optional(),
  tags: Tags.optional(),
});
export type ResourceType = z.infer<typeof ResourceType>;

export const BuildLogRetention = z.strictObject({
  builds: Count.optional(),
  days: Count.optional(),
  minimum_succeeded_builds: Count.optional(),
});
export type BuildLogRetention = z.infer<typeof BuildLogRetention>;

export const Job = z.strictObject({
  name: z.string(),
  old_name: z.string().optional(),
  plan: z.array(Step),
  serial: Flag.optional(),
  serial_groups: z.array(z.string()).optional(),
  max_in_flight: Count.optional(),
  build_log_retention: BuildLogRetention.optional(),
  /** Deprecated in Concourse in favour of build_log_retention; accepted with a warning. */
  build_logs_to_retain: Count.optional(),
  public: Flag.optional(),
  disable_manual_trigger: Flag.optional(),
  disable_reruns: Flag.optional(),
  interruptible: Flag.optional(),
  tags: Tags.optional(),
  on_success: Step.optional(),
  on_failure: Step.optional(),
  on_error: Step.optional(),
  on_abort: Step.optional(),
  ensure: Step.optional(),
});
export type Job = z.infer<typeof Job>;

export const Group = z.strictObject({
  name: z.string(),
  jobs: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
});
export type Group = z.infer<typeof Group>;

export const Display = z.strictObject({
  background_image: z.string().optional(),
  background_filter: z.string().optional(),
});
export type Display = z.infer<typeof Display>;

export const VarSource = z.strictObject({
  name: z.string(),
  type: z.string(),
  config: Config.optional(),
});
export type VarSource = z.infer<typeof VarSource>;

export const Pipeline = z.object({
  resources: z.array(Resource).optional(),
  resource_types: z.array(ResourceType).optional(),
  jobs: z.array(Job).optional(),
  groups: z.array(Group).optional(),
  display: Display.optional(),
  var_sources: z.array(VarSource).optional(),
  user_data: z.unknown().optional(),
});
export type Pipeline = z.infer<typeof Pipeline>;

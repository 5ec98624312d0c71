/**
 * Plan steps as Concourse's atc/steps.go reads them. A step is a map with exactly one step key
 * (get, put, task, …) plus modifiers (timeout, attempts, across, hooks); unknown fields are
 * errors. `planStep` (plan.ts) turns a step into its nested modifier structure.
 */
import { z } from "zod";
import { Config, Flag, GoDuration, Tags, Version } from "./fields.ts";
import { TaskConfig, TaskParams } from "./task-config.ts";
import { orVar } from "./var-reference.ts";

/** The step keys, in the order Concourse looks for them when a step names several. */
export const STEP_KINDS = [
  "task",
  "put",
  "get",
  "set_pipeline",
  "load_var",
  "try",
  "do",
  "in_parallel",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** The step keys a raw value carries (several only in an invalid step). */
export function stepKindsOf(raw: unknown): StepKind[] {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return [];
  return STEP_KINDS.filter((kind) => Object.hasOwn(raw, kind));
}

/**
 * Messages of the unions whose option is chosen by the shape of the value rather than by trying
 * each (zod-issues.ts reports the chosen option's own issues): a step by its step key, an
 * in_parallel by being a list or a map.
 */
export const STEP_UNION_ERROR = "invalid step";
export const IN_PARALLEL_UNION_ERROR = "expected a list of steps or a map with steps, limit and fail_fast";

const positive = z.int().min(1, "must be greater than 0");

export const AcrossVar = z.strictObject({
  var: z.string(),
  values: z.unknown().optional(),
  max_in_flight: orVar('"all" or a count', z.literal("all"), positive).optional(),
});
export type AcrossVar = z.infer<typeof AcrossVar>;

/** Fields every step accepts, whatever its step key. */
const modifiers = {
  timeout: GoDuration.optional(),
  attempts: orVar("an integer", positive).optional(),
  across: z.array(AcrossVar).min(1, "no vars specified").optional(),
  fail_fast: Flag.optional(),
  get on_success(): z.ZodOptional<typeof Step> {
    return Step.optional();
  },
  get on_failure(): z.ZodOptional<typeof Step> {
    return Step.optional();
  },
  get on_error(): z.ZodOptional<typeof Step> {
    return Step.optional();
  },
  get on_abort(): z.ZodOptional<typeof Step> {
    return Step.optional();
  },
  get ensure(): z.ZodOptional<typeof Step> {
    return Step.optional();
  },
};

export const GetVersion = orVar("every, latest or a version map", z.enum(["every", "latest"]), Version);
export type GetVersion = z.infer<typeof GetVersion>;

export const GetStep = z
  .strictObject({
    get: z.string(),
    resource: z.string().optional(),
    version: GetVersion.optional(),
    passed: z.array(z.string()).optional(),
    params: Config.optional(),
    trigger: Flag.optional(),
    tags: Tags.optional(),
  })
  .extend(modifiers);
export type GetStep = z.infer<typeof GetStep>;

export const PutInputs = orVar(
  "all, detect or a list of names",
  z.enum(["all", "detect"]),
  z.array(z.string()),
);
export type PutInputs = z.infer<typeof PutInputs>;

export const PutStep = z
  .strictObject({
    put: z.string(),
    resource: z.string().optional(),
    inputs: PutInputs.optional(),
    params: Config.optional(),
    get_params: Config.optional(),
    no_get: Flag.optional(),
    tags: Tags.optional(),
  })
  .extend(modifiers);
export type PutStep = z.infer<typeof PutStep>;

const TaskContainerLimits = TaskConfig.shape.container_limits;

export const TaskStep = z
  .strictObject({
    task: z.string(),
    file: z.string().optional(),
    config: TaskConfig.optional(),
    image: z.string().optional(),
    privileged: Flag.optional(),
    hermetic: Flag.optional(),
    vars: Config.optional(),
    params: TaskParams.optional(),
    input_mapping: z.record(z.string(), z.string()).optional(),
    output_mapping: z.record(z.string(), z.string()).optional(),
    container_limits: TaskContainerLimits,
    tags: Tags.optional(),
  })
  .extend(modifiers);
export type TaskStep = z.infer<typeof TaskStep>;

export const SetPipelineStep = z
  .strictObject({
    set_pipeline: z.string(),
    file: z.string().optional(),
    vars: Config.optional(),
    var_files: z.array(z.string()).optional(),
    instance_vars: Config.optional(),
    team: z.string().optional(),
  })
  .extend(modifiers);
export type SetPipelineStep = z.infer<typeof SetPipelineStep>;

export const LoadVarFormat = orVar(
  "json, yaml, yml, trim or raw",
  z.enum(["json", "yaml", "yml", "trim", "raw"]),
);
export type LoadVarFormat = z.infer<typeof LoadVarFormat>;

export const LoadVarStep = z
  .strictObject({
    load_var: z.string(),
    file: z.string().optional(),
    format: LoadVarFormat.optional(),
    reveal: Flag.optional(),
  })
  .extend(modifiers);
export type LoadVarStep = z.infer<typeof LoadVarStep>;

export const TryStep = z
  .strictObject({
    get try(): typeof Step {
      return Step;
    },
  })
  .extend(modifiers);
export type TryStep = z.infer<typeof TryStep>;

export const DoStep = z
  .strictObject({
    get do(): z.ZodArray<typeof Step> {
      return z.array(Step);
    },
    tags: Tags.optional(),
  })
  .extend(modifiers);
export type DoStep = z.infer<typeof DoStep>;

export const InParallelConfig = z.strictObject({
  get steps(): z.ZodOptional<z.ZodArray<typeof Step>> {
    return z.array(Step).optional();
  },
  limit: orVar("an integer", positive).optional(),
  fail_fast: Flag.optional(),
});
export type InParallelConfig = z.infer<typeof InParallelConfig>;

export const InParallelStep = z
  .strictObject({
    get in_parallel(): z.ZodUnion<[z.ZodArray<typeof Step>, typeof InParallelConfig]> {
      return z.union([z.array(Step), InParallelConfig], { error: IN_PARALLEL_UNION_ERROR });
    },
    tags: Tags.optional(),
  })
  .extend(modifiers);
export type InParallelStep = z.infer<typeof InParallelStep>;

/** One schema per step key, in the order of STEP_KINDS (zod-issues.ts relies on it). */
export const Step = z.union(
  [TaskStep, PutStep, GetStep, SetPipelineStep, LoadVarStep, TryStep, DoStep, InParallelStep],
  { error: STEP_UNION_ERROR },
);
export type Step = z.infer<typeof Step>;

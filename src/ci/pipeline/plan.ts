/**
 * A step as the plan executor runs it: one node per step type, and the modifiers as wrappers in
 * Concourse's precedence, outermost first: ensure ⊃ on_error ⊃ on_abort ⊃ on_failure ⊃
 * on_success ⊃ across ⊃ attempts ⊃ timeout ⊃ the step. So every attempt gets its own timeout, an
 * across runs all its attempts per value, and a hook sees the outcome of all of them.
 */
import type { Flag } from "./fields.ts";
import type { Job } from "./pipeline.ts";
import { HOOKS, type Hook, type HookOwner } from "./step-tree.ts";
import type { AcrossVar, GetStep, LoadVarStep, PutStep, SetPipelineStep, Step, TaskStep } from "./steps.ts";

const MODIFIERS = ["timeout", "attempts", "across", "fail_fast", ...HOOKS] as const;
type Modifier = (typeof MODIFIERS)[number];

/** A step's own fields, without its modifiers. */
export type Core<S> = Omit<S, Modifier>;

export type PlanStep =
  | { kind: Hook; step: PlanStep; hook: PlanStep }
  | { kind: "across"; vars: AcrossVar[]; fail_fast?: Flag; step: PlanStep }
  | { kind: "attempts"; attempts: number | string; step: PlanStep }
  | { kind: "timeout"; duration: string; step: PlanStep }
  | { kind: "get"; config: Core<GetStep> }
  | { kind: "put"; config: Core<PutStep> }
  | { kind: "task"; config: Core<TaskStep> }
  | { kind: "set_pipeline"; config: Core<SetPipelineStep> }
  | { kind: "load_var"; config: Core<LoadVarStep> }
  | { kind: "try"; step: PlanStep }
  | { kind: "do"; steps: PlanStep[]; tags?: string[] }
  | { kind: "in_parallel"; steps: PlanStep[]; limit?: number | string; fail_fast?: Flag; tags?: string[] };

/** Hooks from the innermost to the outermost wrapper. */
const HOOKS_INSIDE_OUT: readonly Hook[] = ["on_success", "on_failure", "on_abort", "on_error", "ensure"];

function withoutModifiers<S extends Step>(step: S): Core<S> {
  return Object.fromEntries(
    Object.entries(step).filter(([key]) => !(MODIFIERS as readonly string[]).includes(key)),
  ) as Core<S>;
}

function coreStep(step: Step): PlanStep {
  if ("get" in step) return { kind: "get", config: withoutModifiers(step) };
  if ("put" in step) return { kind: "put", config: withoutModifiers(step) };
  if ("task" in step) return { kind: "task", config: withoutModifiers(step) };
  if ("set_pipeline" in step) return { kind: "set_pipeline", config: withoutModifiers(step) };
  if ("load_var" in step) return { kind: "load_var", config: withoutModifiers(step) };
  if ("try" in step) return { kind: "try", step: planStep(step.try) };
  const tags = step.tags === undefined ? {} : { tags: step.tags };
  if ("do" in step) return { kind: "do", steps: step.do.map(planStep), ...tags };
  const config = Array.isArray(step.in_parallel) ? { steps: step.in_parallel } : step.in_parallel;
  return {
    kind: "in_parallel",
    steps: (config.steps ?? []).map(planStep),
    ...(config.limit === undefined ? {} : { limit: config.limit }),
    ...(config.fail_fast === undefined ? {} : { fail_fast: config.fail_fast }),
    ...tags,
  };
}

/** Wraps `inner` in the hooks `owner` sets, in precedence order. */
function withHooks(inner: PlanStep, owner: HookOwner): PlanStep {
  return HOOKS_INSIDE_OUT.reduce<PlanStep>((step, kind) => {
    const hook = owner[kind];
    return hook === undefined ? step : { kind, step, hook: planStep(hook) };
  }, inner);
}

/** The nested structure of one step of a plan. */
export function planStep(step: Step): PlanStep {
  let node = coreStep(step);
  if (step.timeout !== undefined) node = { kind: "timeout", duration: step.timeout, step: node };
  if (step.attempts !== undefined) node = { kind: "attempts", attempts: step.attempts, step: node };
  if (step.across !== undefined) {
    const failFast = step.fail_fast === undefined ? {} : { fail_fast: step.fail_fast };
    node = { kind: "across", vars: step.across, ...failFast, step: node };
  }
  return withHooks(node, step);
}

/** A job's plan as one step: its steps in a `do`, wrapped in the job's hooks. */
export function planJob(job: Job): PlanStep {
  return withHooks({ kind: "do", steps: job.plan.map(planStep) }, job);
}

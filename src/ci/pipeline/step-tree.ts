/** Walking the steps of a job: the steps a step runs, its hooks, and every step below a job. */
import type { Job } from "./pipeline.ts";
import type { GetStep, PutStep, Step } from "./steps.ts";

export interface StepAt {
  step: Step;
  /** Where the step is, e.g. `["jobs", 0, "plan", 2]`. */
  path: PropertyKey[];
}

export const HOOKS = ["on_success", "on_failure", "on_error", "on_abort", "ensure"] as const;
export type Hook = (typeof HOOKS)[number];

/** A step or a job: both can have hooks. */
export type HookOwner = { readonly [H in Hook]?: Step | undefined };

/** The hooks of a step or a job that are set. */
export function hooksOf(owner: HookOwner, path: PropertyKey[]): StepAt[] {
  return HOOKS.flatMap((hook) => {
    const step = owner[hook];
    return step === undefined ? [] : [{ step, path: [...path, hook] }];
  });
}

/** The steps `step` runs itself (do, try, in_parallel), not its hooks. */
export function bodyOf({ step, path }: StepAt): StepAt[] {
  const list = (steps: Step[], at: PropertyKey[]) => steps.map((s, i) => ({ step: s, path: [...at, i] }));
  if ("do" in step) return list(step.do, [...path, "do"]);
  if ("try" in step) return [{ step: step.try, path: [...path, "try"] }];
  if ("in_parallel" in step) {
    const config = step.in_parallel;
    if (Array.isArray(config)) return list(config, [...path, "in_parallel"]);
    return list(config.steps ?? [], [...path, "in_parallel", "steps"]);
  }
  return [];
}

/** The top-level steps of a job: its plan, then its hooks. */
export function jobSteps(job: Job, jobPath: PropertyKey[]): StepAt[] {
  const plan = job.plan.map((step, i) => ({ step, path: [...jobPath, "plan", i] }));
  return [...plan, ...hooksOf(job, jobPath)];
}

/** Every step below `roots`, depth first, each before the steps inside it. */
export function* everyStep(roots: StepAt[]): Generator<StepAt> {
  for (const at of roots) {
    yield at;
    yield* everyStep([...bodyOf(at), ...hooksOf(at.step, at.path)]);
  }
}

/** The resources a job gets and puts, wherever the steps are. */
export function resourcesOf(job: Job): { gets: GetStep[]; puts: PutStep[] } {
  const gets: GetStep[] = [];
  const puts: PutStep[] = [];
  for (const { step } of everyStep(jobSteps(job, []))) {
    if ("get" in step) gets.push(step);
    if ("put" in step) puts.push(step);
  }
  return { gets, puts };
}

export const resourceOf = (step: GetStep | PutStep): string =>
  step.resource ?? ("get" in step ? step.get : step.put);

/**
 * The plan executor: runs a `PlanStep` tree (pipeline/plan.ts) and returns its outcome, with
 * Concourse's semantics (outcome.ts). One module per step type and modifier; this one only
 * dispatches, and turns what a node throws (an undefined var, a bad duration) into `errored`
 * with the message in the step's log.
 */
import type { PlanStep } from "../pipeline/index.ts";
import { LocalVarScope } from "../vars/local-vars.ts";
import type { VarSource } from "../vars/source.ts";
import { runAcross } from "./across.ts";
import { runAttempts } from "./attempts.ts";
import { outcomeOfError, type BuildServices, type RunContext } from "./context.ts";
import { runDo } from "./do.ts";
import { runHooked } from "./hooks.ts";
import { runInParallel } from "./in-parallel.ts";
import { runLeaf } from "./leaf.ts";
import type { Outcome } from "./outcome.ts";
import { runWithTimeout } from "./timeout.ts";
import { runTry } from "./try.ts";

export async function runPlan(plan: PlanStep, ctx: RunContext): Promise<Outcome> {
  try {
    return await runNode(plan, ctx);
  } catch (error) {
    return outcomeOfError(ctx, error);
  }
}

function runNode(plan: PlanStep, ctx: RunContext): Promise<Outcome> {
  switch (plan.kind) {
    case "ensure":
    case "on_error":
    case "on_abort":
    case "on_failure":
    case "on_success":
      return runHooked(plan, ctx, runPlan);
    case "across":
      return runAcross(plan, ctx, runPlan);
    case "attempts":
      return runAttempts(plan, ctx, runPlan);
    case "timeout":
      return runWithTimeout(plan, ctx, runPlan);
    case "try":
      return runTry(plan, ctx, runPlan);
    case "do":
      return runDo(plan, ctx, runPlan);
    case "in_parallel":
      return runInParallel(plan, ctx, runPlan);
    case "get":
    case "put":
    case "task":
    case "set_pipeline":
    case "load_var":
      return runLeaf(plan, ctx);
  }
}

export interface BuildRun extends BuildServices {
  /** Aborting the build: running steps are interrupted, hooks for aborts still run. */
  signal: AbortSignal;
  /** The pipeline's var sources; load_var and across add local vars above them. */
  vars: VarSource;
}

/** Runs a build's plan (`planJob`) from the root: origin `plan`, a fresh local var scope. */
export function runBuildPlan(plan: PlanStep, { signal, vars, ...build }: BuildRun): Promise<Outcome> {
  return runPlan(plan, { signal, vars: new LocalVarScope(vars), origin: "plan", build });
}

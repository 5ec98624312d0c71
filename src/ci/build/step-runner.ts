/**
 * The leaf steps (get, put, task, set_pipeline, load_var) as the executor sees them: one
 * interface it calls, so the sandbox and resources can bring their implementations while the
 * composite steps and modifiers stay here.
 */
import type { PlanStep } from "../pipeline/index.ts";
import type { RunContext } from "./context.ts";
import type { Outcome } from "./outcome.ts";

export type LeafKind = "get" | "put" | "task" | "set_pipeline" | "load_var";
export type LeafStep<K extends LeafKind = LeafKind> = Extract<PlanStep, { kind: K }>;

/**
 * Runs one leaf step. It returns `failed` for the step's own verdict and `aborted` once
 * `ctx.signal` fired (the executor turns that into `errored` when a timeout fired it); it throws
 * when the step could not run, which the executor reports as `errored` with the message.
 */
export interface StepRunner {
  run(step: LeafStep, ctx: RunContext): Promise<Outcome>;
}

export type StepRunnerOf<K extends LeafKind> = (step: LeafStep<K>, ctx: RunContext) => Promise<Outcome>;

/** One runner from one function per step kind. */
export function runnersByKind(runners: { [K in LeafKind]: StepRunnerOf<K> }): StepRunner {
  return {
    run: (step, ctx) => (runners[step.kind] as StepRunnerOf<LeafKind>)(step, ctx),
  };
}

/** The step's name: the value of its step key. */
export function leafName(step: LeafStep): string {
  switch (step.kind) {
    case "get":
      return step.config.get;
    case "put":
      return step.config.put;
    case "task":
      return step.config.task;
    case "set_pipeline":
      return step.config.set_pipeline;
    case "load_var":
      return step.config.load_var;
  }
}

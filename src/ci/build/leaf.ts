/** Runs a leaf step through the build's StepRunner and reports its start, end and errors. */
import { outcomeOfError, type RunContext } from "./context.ts";
import type { StepIdentity } from "./events.ts";
import { interruption, type Outcome } from "./outcome.ts";
import { leafName, type LeafStep } from "./step-runner.ts";

export async function runLeaf(step: LeafStep, ctx: RunContext): Promise<Outcome> {
  const identity: StepIdentity = { origin: ctx.origin, step: step.kind, name: leafName(step) };
  const startedAt = ctx.build.now();
  ctx.build.emit({ type: "step-started", data: identity });
  const outcome = await outcomeOf(step, ctx);
  const durationMs = ctx.build.now() - startedAt;
  ctx.build.emit({ type: "step-finished", data: { ...identity, outcome, durationMs } });
  return outcome;
}

async function outcomeOf(step: LeafStep, ctx: RunContext): Promise<Outcome> {
  try {
    const outcome = await ctx.build.runner.run(step, ctx);
    return outcome === "aborted" ? (interruption(ctx.signal) ?? outcome) : outcome;
  } catch (error) {
    return outcomeOfError(ctx, error);
  }
}

/**
 * `attempts: N` (Concourse's retry_step.go): runs the step until it succeeds, at most N times;
 * a failed or errored attempt is retried, an interruption ends the retries, and the last
 * attempt's outcome is the whole's.
 */
import { childOrigin, type RunContext } from "./context.ts";
import { interruption, type Outcome } from "./outcome.ts";
import { resolvePositive } from "./resolve.ts";
import type { RunPlan, StepOf } from "./run-plan.ts";

export async function runAttempts(node: StepOf<"attempts">, ctx: RunContext, run: RunPlan): Promise<Outcome> {
  const attempts = await resolvePositive(node.attempts, "attempts", ctx);
  let outcome: Outcome = "succeeded";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    outcome = await run(node.step, { ...ctx, origin: childOrigin(ctx, "attempt", attempt) });
    const interrupted = interruption(ctx.signal);
    if (interrupted !== undefined) return interrupted;
    if (outcome === "succeeded") break;
  }
  return outcome;
}

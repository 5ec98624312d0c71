/** `do:` (a chain of on_success in Concourse): the steps in order until one does not succeed. */
import { childOrigin, type RunContext } from "./context.ts";
import { interruption, type Outcome } from "./outcome.ts";
import type { RunPlan, StepOf } from "./run-plan.ts";

export async function runDo(node: StepOf<"do">, ctx: RunContext, run: RunPlan): Promise<Outcome> {
  for (const [index, step] of node.steps.entries()) {
    const interrupted = interruption(ctx.signal);
    if (interrupted !== undefined) return interrupted;
    const outcome = await run(step, { ...ctx, origin: childOrigin(ctx, index) });
    if (outcome !== "succeeded") return outcome;
  }
  return "succeeded";
}

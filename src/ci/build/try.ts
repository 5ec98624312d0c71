/** `try:` (Concourse's try_step.go): a failed or errored step counts as succeeded; an abort does not. */
import { childOrigin, type RunContext } from "./context.ts";
import type { Outcome } from "./outcome.ts";
import type { RunPlan, StepOf } from "./run-plan.ts";

export async function runTry(node: StepOf<"try">, ctx: RunContext, run: RunPlan): Promise<Outcome> {
  const outcome = await run(node.step, { ...ctx, origin: childOrigin(ctx, "try") });
  return outcome === "aborted" ? "aborted" : "succeeded";
}

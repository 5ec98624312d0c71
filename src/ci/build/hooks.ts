/**
 * The hooks as wrappers (Concourse's ensure_step.go, on_*.go): each runs its step, then its hook
 * depending on the step's outcome.
 * - on_success runs on succeeded; the hook's outcome is the whole's.
 * - on_failure runs on failed only; the whole stays failed unless the hook errors or aborts.
 * - on_error runs on errored (a timeout included), on_abort on aborted; both run detached from
 *   the interruption and the whole keeps the step's outcome.
 * - ensure always runs (detached when the step was interrupted); an interrupted whole is
 *   interrupted, otherwise the worse of the two outcomes wins.
 */
import type { Hook } from "../pipeline/step-tree.ts";
import { childOrigin, detached, type RunContext } from "./context.ts";
import { interruption, type Outcome } from "./outcome.ts";
import type { RunPlan, StepOf } from "./run-plan.ts";

const severity: Readonly<Record<Outcome, number>> = { succeeded: 0, failed: 1, errored: 2, aborted: 3 };
const worse = (a: Outcome, b: Outcome): Outcome => (severity[a] >= severity[b] ? a : b);

export async function runHooked(node: StepOf<Hook>, ctx: RunContext, run: RunPlan): Promise<Outcome> {
  const outcome = await run(node.step, ctx);
  const hookCtx = { ...ctx, origin: childOrigin(ctx, node.kind) };
  const runHook = (hookContext: RunContext) => run(node.hook, hookContext);
  switch (node.kind) {
    case "on_success":
      return outcome === "succeeded" ? runHook(hookCtx) : outcome;
    case "on_failure": {
      if (outcome !== "failed") return outcome;
      const hooked = await runHook(hookCtx);
      return hooked === "errored" || hooked === "aborted" ? hooked : outcome;
    }
    case "on_error":
    case "on_abort":
      if (outcome === (node.kind === "on_error" ? "errored" : "aborted")) await runHook(detached(hookCtx));
      return outcome;
    case "ensure": {
      const hooked = await runHook(ctx.signal.aborted ? detached(hookCtx) : hookCtx);
      return interruption(ctx.signal) ?? worse(outcome, hooked);
    }
  }
}

/** `in_parallel:` (Concourse's in_parallel.go): all steps at once, or `limit` at a time. */
import { childOrigin, type RunContext } from "./context.ts";
import type { Outcome } from "./outcome.ts";
import { runBranches } from "./parallel.ts";
import { resolveFlag, resolvePositive } from "./resolve.ts";
import type { RunPlan, StepOf } from "./run-plan.ts";

export async function runInParallel(
  node: StepOf<"in_parallel">,
  ctx: RunContext,
  run: RunPlan,
): Promise<Outcome> {
  const count = node.steps.length;
  const limit = node.limit === undefined ? count : await resolvePositive(node.limit, "limit", ctx);
  const failFast = await resolveFlag(node.fail_fast, "fail_fast", ctx);
  return runBranches(
    {
      count,
      limit,
      failFast,
      run: (index, signal) => run(node.steps[index]!, { ...ctx, signal, origin: childOrigin(ctx, index) }),
    },
    ctx.signal,
  );
}

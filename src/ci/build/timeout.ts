/**
 * `timeout: 5m` (Concourse's timeout_step.go): the step is interrupted when the duration has
 * passed, as an abort would, but what it interrupted ends errored, not aborted (outcome.ts).
 */
import { parseDuration } from "../../api/duration.ts";
import { logLine, type RunContext } from "./context.ts";
import { StepTimeoutError, type Outcome } from "./outcome.ts";
import { resolveString } from "./resolve.ts";
import type { RunPlan, StepOf } from "./run-plan.ts";

export async function runWithTimeout(
  node: StepOf<"timeout">,
  ctx: RunContext,
  run: RunPlan,
): Promise<Outcome> {
  const duration = await resolveString(node.duration, "timeout", ctx);
  const limitMs = parseDuration(duration);
  const deadline = new AbortController();
  const timer = abortAfter(deadline, limitMs, new StepTimeoutError(duration));
  try {
    const signal = AbortSignal.any([ctx.signal, deadline.signal]);
    const outcome = await run(node.step, { ...ctx, signal });
    if (signal.reason instanceof StepTimeoutError) logLine(ctx, signal.reason.message, "stderr");
    return outcome;
  } finally {
    clearTimeout(timer.current);
  }
}

/** Node fires longer timers at once, so a longer wait is split into waits of this length. */
const longestTimerMs = 2 ** 31 - 1;

function abortAfter(controller: AbortController, ms: number, reason: Error): { current?: NodeJS.Timeout } {
  const timer: { current?: NodeJS.Timeout } = {};
  const arm = (left: number) => {
    timer.current = setTimeout(
      () => (left > longestTimerMs ? arm(left - longestTimerMs) : controller.abort(reason)),
      Math.min(left, longestTimerMs),
    );
  };
  arm(ms);
  return timer;
}

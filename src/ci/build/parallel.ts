/**
 * Running N branches at most `limit` at a time (Concourse's parallelExecutor, shared by
 * in_parallel and across): branches start in order; with `failFast`, the first branch that
 * does not succeed aborts the running ones and no further one starts.
 *
 * The outcome: interrupted when the enclosing signal fired; otherwise errored when a branch
 * errored, failed when a branch failed or was aborted by fail_fast, else succeeded.
 */
import { interruption, StepAbortedError, type Outcome } from "./outcome.ts";

export interface ParallelBranches {
  count: number;
  limit: number;
  failFast: boolean;
  /** Runs branch `index`; must not throw. */
  run(index: number, signal: AbortSignal): Promise<Outcome>;
}

export async function runBranches(branches: ParallelBranches, signal: AbortSignal): Promise<Outcome> {
  const failedFast = new AbortController();
  const branchSignal = AbortSignal.any([signal, failedFast.signal]);
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < branches.count && !branchSignal.aborted) {
      const outcome = await branches.run(next++, branchSignal);
      outcomes.push(outcome);
      if (outcome !== "succeeded" && branches.failFast) {
        failedFast.abort(new StepAbortedError("a step in parallel did not succeed (fail_fast)"));
      }
    }
  };
  const workers = Math.min(branches.limit, branches.count);
  await Promise.all(Array.from({ length: workers }, worker));
  return interruption(signal) ?? combined(outcomes);
}

function combined(outcomes: Outcome[]): Outcome {
  if (outcomes.includes("errored")) return "errored";
  return outcomes.every((outcome) => outcome === "succeeded") ? "succeeded" : "failed";
}

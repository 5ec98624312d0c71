/**
 * Why a group of inputs with `passed` has no versions, narrowed down step by step: an input that
 * has not passed one of its jobs at all, then an input whose jobs never passed the same version,
 * then two inputs that never passed a shared job together, and last the whole group.
 */
import type { BuildHistory } from "./history.ts";
import { searchPassedVersions, sharedJobs, type PassedInput } from "./passed-search.ts";
import { reasons } from "./waiting-reasons.ts";

export interface WaitingInput {
  /** The input's name (the get step's name). */
  name: string;
  reason: string;
}

const passes = async (inputs: PassedInput[], builds: BuildHistory) =>
  (await searchPassedVersions(inputs, builds)) !== undefined;

async function notPassedAlone(group: readonly PassedInput[], builds: BuildHistory): Promise<WaitingInput[]> {
  const waiting: WaitingInput[] = [];
  for (const passedInput of group) {
    const { input, pin } = passedInput;
    for (const job of input.passed) {
      if (await passes([{ ...passedInput, input: { ...input, passed: [job] } }], builds)) continue;
      const reason =
        pin && input.version.kind === "pinned"
          ? reasons.pinNotPassed(input.resource, input.version.fields, job)
          : reasons.notPassed(input.resource, job);
      waiting.push({ name: input.name, reason });
      break;
    }
  }
  return waiting;
}

async function notPassedAllJobs(
  group: readonly PassedInput[],
  builds: BuildHistory,
): Promise<WaitingInput[]> {
  const waiting: WaitingInput[] = [];
  for (const passedInput of group) {
    const { input } = passedInput;
    if (input.passed.length < 2 || (await passes([passedInput], builds))) continue;
    waiting.push({ name: input.name, reason: reasons.notPassedTogether([input.resource], input.passed) });
  }
  return waiting;
}

async function pairNotPassedTogether(
  group: readonly PassedInput[],
  builds: BuildHistory,
): Promise<WaitingInput[]> {
  for (const [i, a] of group.entries()) {
    for (const b of group.slice(i + 1)) {
      const shared = sharedJobs(a.input, b.input);
      if (shared.length === 0 || (await passes([a, b], builds))) continue;
      const reason = reasons.notPassedTogether([a.input.resource, b.input.resource], shared);
      return [a, b].map(({ input }) => ({ name: input.name, reason }));
    }
  }
  return [];
}

function wholeGroup(group: readonly PassedInput[]): WaitingInput[] {
  const jobs = [...new Set(group.flatMap(({ input }) => input.passed))].filter(
    (job) => group.filter(({ input }) => input.passed.includes(job)).length > 1,
  );
  const reason = reasons.notPassedTogether(
    group.map(({ input }) => input.resource),
    jobs,
  );
  return group.map(({ input }) => ({ name: input.name, reason }));
}

/** The inputs of `group`, which has no versions, to blame, each with why. */
export async function explainPassedFailure(
  group: readonly PassedInput[],
  builds: BuildHistory,
): Promise<WaitingInput[]> {
  for (const narrow of [notPassedAlone, notPassedAllJobs, pairNotPassedTogether]) {
    const waiting = await narrow(group, builds);
    if (waiting.length > 0) return waiting;
  }
  return wholeGroup(group);
}

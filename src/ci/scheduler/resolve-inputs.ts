/**
 * Input resolution for one job: a version for every get, or for each input that has none, why.
 * Inputs without `passed` resolve alone (single-input.ts); inputs with `passed` resolve in
 * groups (passed-search.ts). A resolved input says whether its version is a first occurrence: no
 * build of the job has used it as that input yet.
 */
import type { BuildHistory, StoredVersion, VersionHistory } from "./history.ts";
import type { JobInput } from "./job-inputs.ts";
import { explainPassedFailure, type WaitingInput } from "./passed-explain.ts";
import { groupBySharedJobs, searchPassedVersions, type PassedInput } from "./passed-search.ts";
import { resolvePin, resolveSingleInput } from "./single-input.ts";

export type { WaitingInput } from "./passed-explain.ts";

export interface SchedulingHistory {
  versions: VersionHistory;
  builds: BuildHistory;
}

export interface ResolvedInput {
  name: string;
  resource: string;
  version: StoredVersion;
  /** No build of the job has used this version as this input. */
  firstOccurrence: boolean;
  /** For an input with `passed`, the builds of those jobs the version came from. */
  passedBuilds: number[];
}

export type InputResolution = { ok: true; inputs: ResolvedInput[] } | { ok: false; waiting: WaitingInput[] };

type Found = Map<string, { version: StoredVersion; passedBuilds: number[] }>;

async function resolveAlone(job: string, inputs: JobInput[], history: SchedulingHistory, found: Found) {
  const waiting: WaitingInput[] = [];
  for (const input of inputs) {
    const candidate = await resolveSingleInput(job, input, history.versions, history.builds);
    if (candidate.ok) found.set(input.name, { version: candidate.version, passedBuilds: [] });
    else waiting.push({ name: input.name, reason: candidate.reason });
  }
  return waiting;
}

/**
 * The group's inputs with their pins and, for `every`, where they left off; or the inputs whose
 * pinned version does not exist.
 */
async function withPins(job: string, inputs: JobInput[], { versions, builds }: SchedulingHistory) {
  const group: PassedInput[] = [];
  const waiting: WaitingInput[] = [];
  for (const input of inputs) {
    const rule = input.version;
    const pin = rule.kind === "pinned" ? await resolvePin(input.resource, rule.fields, versions) : undefined;
    const lastPassedBuilds =
      rule.kind === "every" ? await builds.passedBuildsOfNewestUse(job, input.resource) : undefined;
    if (pin === undefined) group.push({ input, ...(lastPassedBuilds && { lastPassedBuilds }) });
    else if (pin.ok) group.push({ input, pin: pin.version });
    else waiting.push({ name: input.name, reason: pin.reason });
  }
  return { group, waiting };
}

async function resolveWithPassed(job: string, inputs: JobInput[], history: SchedulingHistory, found: Found) {
  const waiting: WaitingInput[] = [];
  for (const inputsOfGroup of groupBySharedJobs(inputs)) {
    const { group, waiting: pinsMissing } = await withPins(job, inputsOfGroup, history);
    if (pinsMissing.length > 0) {
      waiting.push(...pinsMissing);
      continue;
    }
    const choices = await searchPassedVersions(group, history.builds);
    if (choices) for (const [name, choice] of choices) found.set(name, choice);
    else waiting.push(...(await explainPassedFailure(group, history.builds)));
  }
  return waiting;
}

export async function resolveInputs(
  job: string,
  inputs: JobInput[],
  history: SchedulingHistory,
): Promise<InputResolution> {
  const found: Found = new Map();
  const waiting = [
    ...(await resolveAlone(
      job,
      inputs.filter((input) => input.passed.length === 0),
      history,
      found,
    )),
    ...(await resolveWithPassed(
      job,
      inputs.filter((input) => input.passed.length > 0),
      history,
      found,
    )),
  ];
  if (waiting.length > 0) {
    const order = inputs.map((input) => input.name);
    return { ok: false, waiting: waiting.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name)) };
  }
  const resolved: ResolvedInput[] = [];
  for (const input of inputs) {
    const choice = found.get(input.name);
    if (!choice) throw new Error(`input ${input.name} neither resolved nor waiting`);
    const used = await history.builds.hasUsedVersion(job, input.name, choice.version.id);
    resolved.push({ name: input.name, resource: input.resource, ...choice, firstOccurrence: !used });
  }
  return { ok: true, inputs: resolved };
}

/**
 * Whether the scheduler creates a build: when every input resolves and some `trigger: true`
 * input has a version no build of the job has used. A manual trigger creates a build whatever
 * the triggers (the API creates it pending); it starts once its inputs resolve, which is when
 * this gives `create: true`.
 */
import type { JobInput } from "./job-inputs.ts";
import type { InputResolution, ResolvedInput, WaitingInput } from "./resolve-inputs.ts";

export type BuildDecision =
  | {
      create: true;
      inputs: ResolvedInput[];
      /** The trigger inputs with a new version. */ triggeredBy: string[];
    }
  | { create: false; reason: string; waiting: WaitingInput[] };

export type TriggeredBy = "scheduler" | "manual";

export function decideBuild(
  inputs: readonly JobInput[],
  resolution: InputResolution,
  by: TriggeredBy,
): BuildDecision {
  if (!resolution.ok) {
    return {
      create: false,
      reason: "waiting for a suitable set of input versions",
      waiting: resolution.waiting,
    };
  }
  if (by === "manual") return { create: true, inputs: resolution.inputs, triggeredBy: [] };
  const triggers = new Set(inputs.filter((input) => input.trigger).map((input) => input.name));
  if (triggers.size === 0) return { create: false, reason: "no input has trigger: true", waiting: [] };
  const triggeredBy = resolution.inputs
    .filter((input) => triggers.has(input.name) && input.firstOccurrence)
    .map((input) => input.name);
  if (triggeredBy.length === 0) {
    return { create: false, reason: "no trigger input has a version this job has not used", waiting: [] };
  }
  return { create: true, inputs: resolution.inputs, triggeredBy };
}

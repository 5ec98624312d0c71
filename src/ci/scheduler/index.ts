/** Scheduling rules: which versions a job's build takes, whether to create it, whether it may start, its name. */
export type * from "./history.ts";
export { jobInputs, type ApiPin, type JobInput, type PinSource, type VersionRule } from "./job-inputs.ts";
export {
  resolveInputs,
  type InputResolution,
  type ResolvedInput,
  type SchedulingHistory,
  type WaitingInput,
} from "./resolve-inputs.ts";
export { decideBuild, type BuildDecision, type TriggeredBy } from "./trigger.ts";
export {
  concurrencyOf,
  mayStart,
  type ActiveBuild,
  type ConcurrencyLimit,
  type StartDecision,
} from "./concurrency.ts";
export { nextBuildName, rerunBuildName, type NamedBuild } from "./build-names.ts";

/** The plan executor: runs a job's plan, calling a StepRunner for the leaf steps. */
export { runBuildPlan, runPlan, type BuildRun } from "./executor.ts";
export {
  logLine,
  type Artifacts,
  type BuildIdentity,
  type BuildServices,
  type RunContext,
} from "./context.ts";
export type { BuildEventSink, BuildStepEvent, StepIdentity } from "./events.ts";
export { runLoadVar, LoadVarError } from "./load-var.ts";
export { interruption, OUTCOMES, StepAbortedError, StepTimeoutError, type Outcome } from "./outcome.ts";
export {
  runnersByKind,
  type LeafKind,
  type LeafStep,
  type StepRunner,
  type StepRunnerOf,
} from "./step-runner.ts";

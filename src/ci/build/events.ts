/**
 * What the executor reports while a plan runs. Each event is a `{ type, data }` pair, so it is a
 * `BuildEventInput` the store (ci/store) appends as is (ids and times are the store's). `origin` names the
 * step a line or status belongs to (context.ts: origins).
 */
import type { Outcome } from "./outcome.ts";
import type { LeafKind } from "./step-runner.ts";

export interface StepIdentity {
  origin: string;
  /** The step key: get, put, task, set_pipeline or load_var. */
  step: LeafKind;
  /** The step's name: the value of its step key (`task: build-source` → `build-source`). */
  name: string;
}

export type BuildStepEvent =
  | { type: "step-started"; data: StepIdentity }
  | { type: "step-finished"; data: StepIdentity & { outcome: Outcome; durationMs: number } }
  | { type: "log"; data: { origin: string; stream: "stdout" | "stderr"; line: string } };

/** Receives the events in the order they happen; must not throw. */
export type BuildEventSink = (event: BuildStepEvent) => void;

/**
 * What a step runs with. Per branch of the plan: the signal that interrupts it (the build's abort,
 * a timeout, a fail_fast sibling), its local var scope (across iterations get a child) and its
 * origin. Shared by the whole build: the leaf step runner, the artifacts, the redactor and the
 * event sink.
 *
 * Origins name a step by its place in the plan, segments joined by `/`: a job's plan is `plan`,
 * its third step `plan/2`, that step's hook `plan/2/on_failure`, its second attempt
 * `plan/2/attempt/2`, its first across combination `plan/2/across/0`, the step a try wraps
 * `plan/2/try`. Modifiers other than attempts and across keep their step's origin.
 */
import type { LocalVarScope } from "../vars/local-vars.ts";
import type { Redactor } from "../vars/redactor.ts";
import type { BuildEventSink } from "./events.ts";
import { interruption, type Outcome } from "./outcome.ts";
import type { StepRunner } from "./step-runner.ts";

/** The files of the artifacts a build has produced so far (gets, task outputs), by name. */
export interface Artifacts {
  has(artifact: string): boolean;
  /** The file's content, or undefined when the artifact has no such file. */
  readFile(artifact: string, path: string, signal: AbortSignal): Promise<Uint8Array | undefined>;
}

export interface BuildServices {
  runner: StepRunner;
  artifacts: Artifacts;
  /** Values of vars that must not be shown; every log line is scrubbed with it. */
  redactor: Redactor;
  emit: BuildEventSink;
  /** Epoch milliseconds. */
  now(): number;
}

export interface RunContext {
  readonly signal: AbortSignal;
  readonly vars: LocalVarScope;
  readonly origin: string;
  readonly build: BuildServices;
}

export const childOrigin = (ctx: RunContext, ...segments: (string | number)[]): string =>
  [ctx.origin, ...segments].join("/");

/**
 * `ctx` with a signal that never fires: hooks that run because the step was interrupted (or
 * errored) must not be interrupted by the same abort, as Concourse runs them.
 */
export const detached = (ctx: RunContext): RunContext => ({ ...ctx, signal: new AbortController().signal });

/** Reports a line of a step's output, secrets scrubbed. */
export function logLine(ctx: RunContext, line: string, stream: "stdout" | "stderr" = "stdout"): void {
  ctx.build.emit({
    type: "log",
    data: { origin: ctx.origin, stream, line: ctx.build.redactor.redact(line) },
  });
}

/** The outcome of a step that threw: interrupted if its signal fired, else errored, with the message logged. */
export function outcomeOfError(ctx: RunContext, error: unknown): Outcome {
  const interrupted = interruption(ctx.signal);
  if (interrupted !== undefined) return interrupted;
  logLine(ctx, error instanceof Error ? error.message : String(error), "stderr");
  return "errored";
}

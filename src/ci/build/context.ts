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

/**
 * The artifacts a build has produced so far (gets, task outputs), by name. Each is a directory
 * on the worker; later steps mount or read it in place, nothing is copied between steps.
 */
export interface Artifacts {
  has(artifact: string): boolean;
  /** The file's content, or undefined when the artifact has no such file. */
  readFile(artifact: string, path: string, signal: AbortSignal): Promise<Uint8Array | undefined>;
  /** The directory holding the artifact's files; undefined when no step produced it. */
  directory(artifact: string): string | undefined;
  /** A new empty directory for an artifact a step is about to produce; see `register`. */
  allocate(artifact: string): Promise<string>;
  /** Makes `directory` the artifact `artifact` for the steps that follow (replacing an earlier one). */
  register(artifact: string, directory: string): void;
}

/** Which build a step belongs to: the BUILD_* environment, cache scopes, the set_pipeline team. */
export interface BuildIdentity {
  buildId: number;
  /** `N` or `N.k`. */
  buildName: string;
  team: string;
  /** Undefined for one-off builds (`sluice ci execute`). */
  pipeline?: { id: number; name: string; instanceVars: Record<string, unknown> };
  job?: { id: number; name: string };
}

export interface BuildServices {
  identity: BuildIdentity;
  runner: StepRunner;
  artifacts: Artifacts;
  /** Values of vars that must not be shown; every log line is scrubbed with it. */
  redactor: Redactor;
  /** Names the build's containers resolve to addresses (a GitLab job's services). */
  hosts?: Readonly<Record<string, string>>;
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

/**
 * How a step ends, as Concourse defines it: `failed` is the step's own verdict (a non-zero exit),
 * `errored` means it could not run as asked (a missing var, a bad file, a timeout), `aborted`
 * means a person (or a fail_fast sibling) interrupted it.
 */
export const OUTCOMES = ["succeeded", "failed", "errored", "aborted"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The reason a step's signal carries when its `timeout` expired (unlike an abort, it errors). */
export class StepTimeoutError extends Error {
  constructor(duration: string) {
    super(`timeout exceeded (${duration})`);
    this.name = "StepTimeoutError";
  }
}

/** The reason a step's signal carries when the build was aborted or a fail_fast sibling failed. */
export class StepAbortedError extends Error {
  constructor(why = "the build was aborted") {
    super(why);
    this.name = "StepAbortedError";
  }
}

/**
 * The outcome of a step whose signal fired: aborted, unless the signal fired because a timeout
 * expired, which makes it errored. Undefined while the signal has not fired.
 */
export function interruption(signal: AbortSignal): Outcome | undefined {
  if (!signal.aborted) return undefined;
  return signal.reason instanceof StepTimeoutError ? "errored" : "aborted";
}

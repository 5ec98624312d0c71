/**
 * When a resource is due for a periodic check: `check_every` is a lower bound between checks
 * (default 1m, `never` for on-demand only), and, as Concourse does since it stopped checking
 * everything, only resources that are a `trigger: true` input of a job, were never checked, or
 * whose last check failed are checked periodically. A failed check is retried with a doubling
 * delay from `check_every` up to the larger of `check_every` and ten minutes.
 */
import { parseDuration } from "../../../api/duration.ts";
import { isVarReference } from "../../pipeline/index.ts";

export const DEFAULT_CHECK_EVERY_MS = 60_000;
const MAX_RETRY_DELAY_MS = 10 * 60_000;

/** Milliseconds between checks, or undefined for `never`. A `((var))` interval takes the default. */
export function checkInterval(checkEvery: string | undefined): number | undefined {
  if (checkEvery === "never") return undefined;
  if (checkEvery === undefined || checkEvery === "" || isVarReference(checkEvery))
    return DEFAULT_CHECK_EVERY_MS;
  return parseDuration(checkEvery);
}

/** The delay before retrying after `failures` failed checks in a row (1 for the first). */
export function retryDelay(interval: number, failures: number): number {
  const doubled = interval * 2 ** Math.max(0, Math.min(failures - 1, 20));
  return Math.min(doubled, Math.max(interval, MAX_RETRY_DELAY_MS));
}

export interface CheckState {
  checkEvery: string | undefined;
  /** A `trigger: true` input of some job of its pipeline. */
  triggers: boolean;
  lastCheckEndedAt: number | undefined;
  checkError: string | undefined;
  /** Failed checks in a row (0 after a success). */
  failures: number;
}

/** Whether the periodic checker checks the resource at `now`. */
export function isDue(state: CheckState, now: number): boolean {
  const interval = checkInterval(state.checkEvery);
  if (interval === undefined) return false;
  if (state.lastCheckEndedAt === undefined) return true;
  const errored = state.checkError !== undefined;
  if (!state.triggers && !errored) return false;
  const wait = errored ? retryDelay(interval, Math.max(1, state.failures)) : interval;
  return now - state.lastCheckEndedAt >= wait;
}

/** Statuses worth another attempt: rate limiting and a gateway or backend that is briefly away. */
export const retryableStatuses: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Milliseconds to wait according to a `Retry-After` value: delta-seconds or an HTTP date.
 * Undefined when absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Date.parse accepts bare numbers like "-1" as years; an HTTP date always names a day or month.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with jitter in [half, full] of the step, so clients do not retry in lockstep. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const step = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(step / 2 + (random() * step) / 2);
}

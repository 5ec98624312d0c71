/** When the time resource emits a new version: time-resource's rules, with the clock passed in. */
import { latestRangeBefore, type TimeSource } from "./source.ts";
import { wallClock } from "./zoned-time.ts";

function dayAllowed(source: TimeSource, now: number): boolean {
  return source.days.length === 0 || source.days.includes(wallClock(now, source.location).weekday);
}

/**
 * Whether `now` deserves a new version after `previous` (an instant, or undefined before the first
 * version): on an allowed day, inside the daily range, and either the first version, an `interval`
 * elapsed since the previous one, or (without interval) the first version of this range.
 */
export function isDue(source: TimeSource, previous: number | undefined, now: number): boolean {
  if (!dayAllowed(source, now)) return false;
  const { start, stop } = latestRangeBefore(source, now);
  if (now < start || now >= stop) return false;
  if (previous === undefined) return true;
  if (source.interval !== undefined) return now - previous >= source.interval;
  return previous < start;
}

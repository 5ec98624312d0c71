/** The time resource's `source:`, parsed as time-resource's models do. */
import { z } from "zod";
import { parseConfig, ResourceError, type ResourceConfig } from "../resource.ts";
import { isDuration, parseDuration } from "../../../api/duration.ts";
import { isTimeZone, zonedInstant, wallClock } from "./zoned-time.ts";

/** A time of day, in minutes after midnight. */
export type TimeOfDay = number;

export interface TimeSource {
  /** Milliseconds between versions, when set. */
  interval?: number;
  start?: TimeOfDay;
  stop?: TimeOfDay;
  /** IANA zone the range and days are read in; UTC by default. */
  location: string;
  /** Allowed weekdays, 0 = Sunday; empty means every day. */
  days: number[];
  initialVersion: boolean;
}

const weekdays: Readonly<Record<string, number>> = {
  sun: 0,
  sunday: 0,
  mon: 1,
  monday: 1,
  tue: 2,
  tuesday: 2,
  wed: 3,
  wednesday: 3,
  thu: 4,
  thursday: 4,
  fri: 5,
  friday: 5,
  sat: 6,
  saturday: 6,
};

const timeFormats =
  "3:04 PM, 3PM, 3 PM, 15:04, 1504, each optionally followed by a numeric offset such as -0700";

/**
 * Parses a time of day in the layouts time-resource accepts. An explicit offset converts the time
 * to UTC's time of day (time-resource does the same); the result is read in `location`.
 */
export function parseTimeOfDay(text: string): TimeOfDay | undefined {
  const m =
    /^(?:(\d{1,2})(?::(\d{2}) | ?)([AP]M)|(\d{1,2}):(\d{2})|(\d{2})(\d{2}))(?: ([+-])(\d{2})(\d{2}))?$/.exec(
      text,
    );
  if (!m) return undefined;
  const twelveHour = m[3] !== undefined;
  let hour = Number(m[1] ?? m[4] ?? m[6]);
  const minute = Number(m[2] ?? m[5] ?? m[7] ?? 0);
  if (hour > (twelveHour ? 12 : 23) || minute > 59) return undefined;
  if (m[3] === "PM" && hour < 12) hour += 12;
  else if (m[3] === "AM" && hour === 12) hour = 0;
  const offset = m[8] === undefined ? 0 : (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  return (((hour * 60 + minute - offset) % 1440) + 1440) % 1440;
}

/** A string turned into a value by `parse`, or an issue with `message` when parse gives undefined. */
function parsedString<T>(parse: (text: string) => T | undefined, message: (text: string) => string) {
  return z.string().transform((text, ctx) => {
    const value = parse(text);
    if (value === undefined) ctx.addIssue({ code: "custom", message: message(text) });
    return value as T;
  });
}

const timeOfDay = parsedString(
  parseTimeOfDay,
  (text) => `invalid time format "${text}", must be one of: ${timeFormats}`,
);

const schema = z.object({
  interval: parsedString(
    (text) => (isDuration(text) && parseDuration(text) > 0 ? parseDuration(text) : undefined),
    (text) => `invalid duration "${text}" (e.g. 10m, 1h30m)`,
  ).optional(),
  start: timeOfDay.optional(),
  stop: timeOfDay.optional(),
  location: parsedString(
    (zone) => (isTimeZone(zone) ? zone : undefined),
    (zone) => `unknown time zone "${zone}" (an IANA name such as Europe/Paris)`,
  ).optional(),
  days: z
    .array(
      parsedString(
        (text) => weekdays[text.toLowerCase()],
        (text) => `unknown weekday: ${text}`,
      ),
    )
    .optional(),
  initial_version: z.boolean().optional(),
});

export function parseTimeSource(source: ResourceConfig): TimeSource {
  const raw = parseConfig(schema, source, "source");
  if ((raw.start === undefined) !== (raw.stop === undefined)) {
    const message =
      raw.start === undefined
        ? "must configure 'start' if 'stop' is set"
        : "must configure 'stop' if 'start' is set";
    throw new ResourceError("InvalidConfig", `invalid source: ${message}`);
  }
  return {
    ...(raw.interval !== undefined && { interval: raw.interval }),
    ...(raw.start !== undefined && { start: raw.start }),
    ...(raw.stop !== undefined && { stop: raw.stop }),
    location: raw.location ?? "UTC",
    days: raw.days ?? [],
    initialVersion: raw.initial_version ?? false,
  };
}

/**
 * The latest daily range [start, stop) that begins at or before `now`, as instants: midnight to
 * midnight without start/stop; a stop at or before the start ends the next day.
 */
export function latestRangeBefore(source: TimeSource, now: number): { start: number; stop: number } {
  const startTod = source.start ?? 0;
  const stopTod = source.stop ?? 0;
  const zone = source.location;
  const today = wallClock(now, zone);
  const at = (day: number, tod: TimeOfDay) =>
    zonedInstant(today.year, today.month, day, Math.floor(tod / 60), tod % 60, zone);
  let startDay = today.day;
  let start = at(startDay, startTod);
  if (start > now) start = at(--startDay, startTod);
  let stop = at(startDay, stopTod);
  if (stop <= start) stop = at(startDay + 1, stopTod);
  return { start, stop };
}

/**
 * Wall-clock arithmetic in an IANA time zone with Intl, the few operations Go's time.Date,
 * Time.In and Time.AddDate give the time resource.
 */

export interface WallClock {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday, as Go's time.Weekday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether Intl knows the zone (e.g. "Europe/Paris", "UTC"). */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `zone` at instant `ms` (milliseconds since the epoch). */
export function wallClock(ms: number, zone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = parts;
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (east positive). */
export function offsetAt(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant at which the wall clock in `zone` reads the given date and time; out-of-range days
 * roll over as Go's time.Date does (day 0 is the last day of the previous month).
 */
export function zonedInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  zone: string,
): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const first = asUtc - offsetAt(asUtc, zone);
  const second = asUtc - offsetAt(first, zone);
  return second;
}

/**
 * RFC 3339 with the zone's offset and a fraction only when there is one, as Go's RFC3339Nano
 * writes a time.Time to JSON: "2026-01-02T03:04:05.5+01:00", "Z" for a zero offset.
 */
export function formatRfc3339(ms: number, zone: string): string {
  const offset = offsetAt(ms, zone);
  const w = wallClock(ms, zone);
  const frac = fraction(ms);
  return `${date(w)}T${clock(w)}${frac}${offset === 0 ? "Z" : offsetText(offset, ":")}`;
}

/** Go's "2006-01-02 15:04:05.999999999 -0700 MST" for a time parsed from RFC 3339 text. */
export function formatGoTimestamp(ms: number, offsetMs: number): string {
  const shifted = wallClock(ms + offsetMs, "UTC");
  const numeric = offsetText(offsetMs, "");
  const zoneName = offsetMs === 0 ? "UTC" : numeric;
  return `${date(shifted)} ${clock(shifted)}${fraction(ms)} ${numeric} ${zoneName}`;
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, "0");
const date = (w: WallClock) => `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
const clock = (w: WallClock) => `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;

function fraction(ms: number): string {
  const millis = ((ms % 1000) + 1000) % 1000;
  return millis === 0 ? "" : `.${pad(millis, 3).replace(/0+$/, "")}`;
}

function offsetText(offsetMs: number, separator: string): string {
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  return `${offsetMs < 0 ? "-" : "+"}${pad(Math.floor(minutes / 60))}${separator}${pad(minutes % 60)}`;
}

/** An RFC 3339 time as the instant and the offset it was written with; undefined when malformed. */
export function parseRfc3339(text: string): { ms: number; offsetMs: number } | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(
      text,
    );
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = "", , sign, oh = "0", om = "0"] = m;
  const offsetMs = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  const millis = Number(frac.slice(0, 3).padEnd(3, "0"));
  const ms =
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), millis) - offsetMs;
  return Number.isNaN(ms) ? undefined : { ms, offsetMs };
}

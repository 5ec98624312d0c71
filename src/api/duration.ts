import { z } from "zod";

const MS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3, // micro sign
  "\u03bcs": 1e-3, // Greek mu
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

// Go rejects durations beyond the int64 nanosecond range (about 292 years).
const MAX_MS = 9_223_372_036_854.775;

/**
 * Parses a Go duration string (`time.ParseDuration`): a sign, then one or more decimal numbers
 * each with a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), e.g. `1h30m`, `1.5s`, `500ms`.
 * Returns milliseconds (fractional below one millisecond). Throws on anything Go would reject.
 */
export function parseDuration(input: string): number {
  const fail = (): never => {
    throw new Error(
      `invalid duration ${JSON.stringify(input)}: expected a Go duration such as 30s, 5m or 1h30m`,
    );
  };
  let s = input;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    sign = s.startsWith("-") ? -1 : 1;
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") fail();
  let total = 0;
  const term = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/;
  while (s !== "") {
    const m = term.exec(s);
    if (!m) return fail();
    const [whole, int = "", frac, unit = ""] = m;
    if (int === "" && (frac === undefined || frac === "")) fail();
    const factor = MS_PER_UNIT[unit];
    if (factor === undefined) return fail();
    total += Number(`${int || "0"}.${frac ?? "0"}`) * factor;
    s = s.slice(whole.length);
  }
  if (total > MAX_MS) fail();
  return sign * total;
}

export function isDuration(s: string): boolean {
  try {
    parseDuration(s);
    return true;
  } catch {
    return false;
  }
}

function durationPattern(units: readonly string[]): RegExp {
  return new RegExp(`^([0-9]+(\\.[0-9]+)?(${units.join("|")}))+$`);
}

const durationHint = "must be a duration such as 30s, 5m or 1h30m";

/** An interval as Flux validates it: one or more `<number><unit>` terms with units ms, s, m, h. */
export const Duration = z.string().regex(durationPattern(["ms", "s", "m", "h"]), durationHint);
export type Duration = z.infer<typeof Duration>;

/** A timeout as Flux validates it: like Duration but without hours. */
export const TimeoutDuration = z
  .string()
  .regex(durationPattern(["ms", "s", "m"]), "must be a duration such as 30s or 1m30s (units ms, s, m)");
export type TimeoutDuration = z.infer<typeof TimeoutDuration>;

/** Any string Go's time.ParseDuration accepts; for old API versions whose CRDs had no pattern. */
export const GoDuration = z.string().refine(isDuration, durationHint);
export type GoDuration = z.infer<typeof GoDuration>;

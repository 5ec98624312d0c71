/** Go's time.ParseDuration, which Concourse's `interval` fields use: "90s", "1h30m", "1.5h", "300ms". */

const unitMs: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const term = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** The duration in milliseconds, or undefined when `text` is not a Go duration. */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  let total = 0;
  term.lastIndex = 0;
  while (term.lastIndex < rest.length) {
    const m = term.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (unitMs[m[2]!] ?? Number.NaN);
  }
  return sign * total;
}

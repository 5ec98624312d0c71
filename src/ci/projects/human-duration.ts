/**
 * Durations as GitLab writes them (`timeout: 1h 30m`, `3 hours 30 minutes`, `expire_in: 1 week`,
 * a bare number of seconds), in milliseconds; undefined when the text is not one.
 */
const unitMs: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const unitOf = (word: string): number | undefined => {
  const w = word.toLowerCase();
  if (/^(s|secs?|seconds?)$/.test(w)) return unitMs["s"];
  if (/^(m|mins?|minutes?)$/.test(w)) return unitMs["m"];
  if (/^(h|hrs?|hours?)$/.test(w)) return unitMs["h"];
  if (/^(d|days?)$/.test(w)) return unitMs["d"];
  if (/^(w|wks?|weeks?)$/.test(w)) return unitMs["w"];
  return undefined;
};

export function parseHumanDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)\s*([a-zA-Z]+)[\s,]*(?:and\s+)?/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== trimmed.replace(/\s+$/, "")) return undefined;
  let total = 0;
  for (const [, amount, word] of parts) {
    const unit = unitOf(word!);
    if (unit === undefined) return undefined;
    total += Number(amount) * unit;
  }
  return total;
}

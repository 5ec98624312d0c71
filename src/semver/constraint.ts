import { compareVersions, parseVersion, type SemVer } from "./version.ts";

/**
 * Version range constraints in the syntax Flux users write (Masterminds semver): comparisons
 * (= != > < >= <=), tilde (~1.2), caret (^1.2.3), wildcards (1.2.x, *, 1.*), hyphen ranges
 * (1.2 - 1.4.5), AND by comma or space, OR by ||. Pre-releases only match a comparator that
 * itself names a pre-release, as in Masterminds semver.
 */
export interface Constraint {
  readonly text: string;
  matches(version: SemVer): boolean;
}

export class ConstraintError extends Error {
  constructor(text: string, detail: string) {
    super(`invalid semver range "${text}": ${detail}`);
    this.name = "ConstraintError";
  }
}

interface Bound {
  version: SemVer;
  inclusive: boolean;
}
interface Range {
  lower?: Bound;
  upper?: Bound;
  exclude?: SemVer;
  allowsPrerelease: boolean;
}

const wildcard = (s: string | undefined) => s === undefined || s === "x" || s === "X" || s === "*";

function version(major: number, minor: number, patch: number, prerelease: string[] = []): SemVer {
  return { major, minor, patch, prerelease, build: "", original: `${major}.${minor}.${patch}` };
}

/** A partial version such as 1, 1.2, 1.2.x, with how many parts were given. */
function parsePartial(text: string, whole: string): { parts: number[]; given: number; full?: SemVer } {
  const core = text.replace(/^v/, "");
  const [numbers = "", ...rest] = core.split(/(?=[-+])/);
  const fields = numbers.split(".");
  if (fields.length > 3) throw new ConstraintError(whole, `"${text}" has too many parts`);
  const parts: number[] = [];
  for (const f of fields) {
    if (wildcard(f)) break;
    if (!/^\d+$/.test(f)) throw new ConstraintError(whole, `"${text}" is not a version`);
    parts.push(Number(f));
  }
  if (parts.length === 3) {
    const full = parseVersion(text);
    if (!full) throw new ConstraintError(whole, `"${text}" is not a version`);
    return { parts, given: 3, full };
  }
  if (rest.length) throw new ConstraintError(whole, `"${text}" has a pre-release on a partial version`);
  return { parts, given: parts.length };
}

function lowest(p: { parts: number[]; full?: SemVer }): SemVer {
  return p.full ?? version(p.parts[0] ?? 0, p.parts[1] ?? 0, p.parts[2] ?? 0);
}

/** The first version above a partial version: 1.2 → 1.3.0, 1 → 2.0.0. */
function nextAfter(parts: number[], given: number): SemVer {
  if (given === 1) return version(parts[0]! + 1, 0, 0);
  return version(parts[0]!, parts[1]! + 1, 0);
}

function comparatorRange(op: string, operand: string, whole: string): Range {
  const p = parsePartial(operand, whole);
  const low = lowest(p);
  const pre = p.full !== undefined && p.full.prerelease.length > 0;
  const any: Range = { allowsPrerelease: false };
  const range = (lower?: Bound, upper?: Bound): Range => ({
    ...(lower ? { lower } : {}),
    ...(upper ? { upper } : {}),
    allowsPrerelease: pre,
  });
  const incl = (version: SemVer): Bound => ({ version, inclusive: true });
  const excl = (version: SemVer): Bound => ({ version, inclusive: false });
  // for a partial version (1.2, 1.x) the first version past it (1.3.0, 2.0.0)
  const past = () => nextAfter(p.parts, p.given);
  if (p.given === 0 && op !== "<" && op !== ">") return any;
  switch (op) {
    case "":
    case "=":
      return p.given === 3 ? range(incl(low), incl(low)) : range(incl(low), excl(past()));
    case "!=":
      if (p.given !== 3) throw new ConstraintError(whole, "!= needs a full version");
      return { exclude: low, allowsPrerelease: pre };
    case ">":
      return p.given === 0
        ? range(undefined, excl(version(0, 0, 0)))
        : p.given === 3
          ? range(excl(low))
          : range(incl(past()));
    case ">=":
    case "=>":
      return range(incl(low));
    case "<":
      return range(undefined, excl(low));
    case "<=":
    case "=<":
      return p.given === 3 ? range(undefined, incl(low)) : range(undefined, excl(past()));
    case "~":
    case "~>":
      return range(incl(low), excl(p.given === 1 ? past() : version(low.major, low.minor + 1, 0)));
    case "^":
      return range(incl(low), excl(caretUpper(low, p.given)));
    default:
      throw new ConstraintError(whole, `unknown operator "${op}"`);
  }
}

function caretUpper(v: SemVer, given: number): SemVer {
  if (v.major > 0 || given === 1) return version(v.major + 1, 0, 0);
  if (v.minor > 0 || given === 2) return version(0, v.minor + 1, 0);
  return version(0, 0, v.patch + 1);
}

function within(r: Range, v: SemVer): boolean {
  if (r.lower) {
    const c = compareVersions(v, r.lower.version);
    if (c < 0 || (c === 0 && !r.lower.inclusive)) return false;
  }
  if (r.upper) {
    const c = compareVersions(v, r.upper.version);
    if (c > 0 || (c === 0 && !r.upper.inclusive)) return false;
  }
  return !(r.exclude && compareVersions(v, r.exclude) === 0);
}

/** A pre-release only matches when some comparator names a pre-release of the same major.minor.patch. */
function prereleaseAllowed(ranges: Range[], v: SemVer): boolean {
  if (v.prerelease.length === 0) return true;
  return ranges.some((r) =>
    [r.lower?.version, r.upper?.version, r.exclude].some(
      (b) =>
        r.allowsPrerelease &&
        b &&
        b.prerelease.length > 0 &&
        b.major === v.major &&
        b.minor === v.minor &&
        b.patch === v.patch,
    ),
  );
}

const comparatorPattern = /^(!=|>=|=>|<=|=<|~>|[=<>~^])?\s*(v?[0-9xX*][0-9A-Za-z.+*-]*)$/;

function parseAndGroup(group: string, whole: string): Range[] {
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(group);
  if (hyphen) {
    return [comparatorRange(">=", hyphen[1]!, whole), comparatorRange("<=", hyphen[2]!, whole)];
  }
  const tokens = group
    .replace(/(!=|>=|=>|<=|=<|~>|[=<>~^])\s+/g, "$1")
    .split(/[\s,]+/)
    .filter(Boolean);
  if (tokens.length === 0) throw new ConstraintError(whole, "empty range");
  return tokens.map((token) => {
    const m = comparatorPattern.exec(token);
    if (!m) throw new ConstraintError(whole, `cannot read "${token}"`);
    return comparatorRange(m[1] ?? "", m[2]!, whole);
  });
}

export function parseConstraint(text: string): Constraint {
  if (!text.trim()) throw new ConstraintError(text, "empty range");
  const groups = text.split("||").map((g) => parseAndGroup(g.trim(), text));
  return {
    text,
    matches: (v) =>
      groups.some((ranges) => ranges.every((r) => within(r, v)) && prereleaseAllowed(ranges, v)),
  };
}

/** The highest of `candidates` (strings parsed leniently) inside the constraint. */
export function highestMatching(constraint: Constraint, candidates: Iterable<string>): SemVer | undefined {
  let best: SemVer | undefined;
  for (const c of candidates) {
    const v = parseVersion(c);
    if (v && constraint.matches(v) && (!best || compareVersions(v, best) > 0)) best = v;
  }
  return best;
}

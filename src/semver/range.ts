import { compareVersions, type SemVer } from "./version.ts";

/**
 * Semver ranges as Flux evaluates them (Masterminds semver v3.4, for GitRepository tags and image
 * policies alike); image tags are read strictly (`MAJOR.MINOR.PATCH`, an optional single `v`
 * prefix, no leading zeros) by `parseStrictVersion`, git tags leniently by `parseVersion`.
 *
 * Pre-releases differ from npm: a version with a pre-release only matches when
 * some comparator of the same AND group itself names a pre-release, and then pre-releases of *any*
 * version are in play for the whole group (`>=1.0.0-0` matches `3.1.0-rc.1`). `^1.x-0` therefore
 * selects release candidates of 1.x, and `>=1.0.0 <2.0.0` never selects `1.5.0-rc.1`.
 */

const numeric = "0|[1-9]\\d*";
const prereleaseIdentifier = "0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*";
const strictVersion = new RegExp(
  `^v?(${numeric})\\.(${numeric})\\.(${numeric})` +
    `(?:-((?:${prereleaseIdentifier})(?:\\.(?:${prereleaseIdentifier}))*))?` +
    `(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$`,
);

/** A tag read the way Flux's `version.ParseVersion` does; undefined when Flux would skip it. */
export function parseStrictVersion(text: string): SemVer | undefined {
  const m = strictVersion.exec(text);
  if (!m) return undefined;
  const version = versionOf(m[1]!, m[2]!, m[3]!, m[4], m[5], text);
  return Number.isSafeInteger(version.major + version.minor + version.patch) ? version : undefined;
}

function versionOf(
  major: string,
  minor: string,
  patch: string,
  prerelease: string | undefined,
  build: string | undefined,
  original: string,
): SemVer {
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    prerelease: prerelease ? prerelease.split(".") : [],
    build: build ?? "",
    original,
  };
}

export class SemverRangeError extends Error {
  constructor(range: string, problem: string) {
    super(`invalid semver range ${JSON.stringify(range)}: ${problem}`);
    this.name = "SemverRangeError";
  }
}

type Operator = "" | "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^";

interface Comparator {
  operator: Operator;
  version: SemVer;
  /** A wildcard somewhere (`1.x`, `*`, `1.2`): the missing parts were filled in with 0. */
  dirty: boolean;
  minorDirty: boolean;
  patchDirty: boolean;
}

interface AndGroup {
  comparators: Comparator[];
  /** Some comparator names a pre-release, so pre-release versions may match this group. */
  includesPrerelease: boolean;
}

export interface FluxRange {
  readonly text: string;
  matches(version: SemVer): boolean;
}

// The grammar of Masterminds' constraint parser, including its quirks (`|` inside the classes).
const operators = "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^";
const partialVersion =
  "v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?" +
  "(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?" +
  "(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?";
const comparatorPattern = new RegExp(`^\\s*(${operators})\\s*(${partialVersion})\\s*$`);
const hyphenRangePattern = new RegExp(`\\s*(${partialVersion})\\s+-\\s+(${partialVersion})\\s*`, "g");
const findComparatorPattern = new RegExp(`(${operators})\\s*(${partialVersion})`, "g");
const validGroupPattern = new RegExp(
  `^(\\s*(${operators})\\s*(${partialVersion})\\s*)((?:\\s+|,\\s*)(${operators})\\s*(${partialVersion})\\s*)*$`,
);

/** Parses a range the way Flux does (Masterminds `NewConstraint`); throws SemverRangeError. */
export function parseFluxRange(text: string): FluxRange {
  const rewritten = text.replace(hyphenRangePattern, (_all, low: string, ...rest: unknown[]) => {
    const high = rest[9] as string;
    return `>= ${low}, <= ${high} `;
  });
  const groups = rewritten.split("||").map((segment) => parseGroup(segment, text));
  return {
    text,
    matches: (version) => groups.some((group) => groupMatches(group, version)),
  };
}

function parseGroup(segment: string, whole: string): AndGroup {
  if (!validGroupPattern.test(segment)) {
    throw new SemverRangeError(whole, `improper constraint: ${segment.trim() || "(empty)"}`);
  }
  const found = segment.match(findComparatorPattern) ?? [segment];
  const comparators = found.map((text) => parseComparator(text, whole));
  return {
    comparators,
    includesPrerelease: comparators.some((c) => c.version.prerelease.length > 0),
  };
}

function isWildcard(part: string | undefined): boolean {
  return part === "x" || part === "X" || part === "*";
}

function parseComparator(text: string, whole: string): Comparator {
  const m = comparatorPattern.exec(text);
  if (!m) throw new SemverRangeError(whole, `improper constraint: ${text.trim()}`);
  const operator = m[1] as Operator;
  const [major = "", dotMinor = "", dotPatch = "", dashPrerelease = ""] = [m[3], m[4], m[5], m[6]];
  const minor = dotMinor.slice(1);
  const patch = dotPatch.slice(1);
  let parts: [string, string, string];
  let dirty = true;
  let minorDirty = false;
  let patchDirty = false;
  if (isWildcard(major) || major === "") parts = ["0", "0", "0"];
  else if (isWildcard(minor) || minor === "") {
    parts = [major, "0", "0"];
    minorDirty = true;
  } else if (isWildcard(patch) || patch === "") {
    parts = [major, minor, "0"];
    patchDirty = true;
  } else {
    parts = [major, minor, patch];
    dirty = false;
  }
  if (!parts.every((part) => /^\d+$/.test(part)))
    throw new SemverRangeError(whole, `"${m[2]}" is not a version`);
  const prerelease = dashPrerelease.slice(1);
  if (prerelease.split(".").some((id) => /^0\d+$/.test(id))) {
    throw new SemverRangeError(whole, `"${m[2]}" has a numeric pre-release identifier with a leading zero`);
  }
  const version = versionOf(parts[0], parts[1], parts[2], prerelease || undefined, undefined, m[2]!);
  return { operator, version, dirty, minorDirty, patchDirty };
}

function groupMatches(group: AndGroup, v: SemVer): boolean {
  if (v.prerelease.length > 0 && !group.includesPrerelease) return false;
  return group.comparators.every((c) => comparatorMatches(c, v));
}

function comparatorMatches(c: Comparator, v: SemVer): boolean {
  const cmp = compareVersions(v, c.version);
  switch (c.operator) {
    case "":
    case "=":
      return c.dirty ? tilde(c, v, cmp) : cmp === 0;
    case "!=":
      return notEqual(c, v, cmp);
    case ">":
      return greaterThan(c, v, cmp);
    case "<":
      return cmp < 0;
    case ">=":
    case "=>":
      return cmp >= 0;
    case "<=":
    case "=<":
      return lessOrEqual(c, v, cmp);
    case "~":
    case "~>":
      return tilde(c, v, cmp);
    case "^":
      return caret(c, v, cmp);
  }
}

function notEqual(c: Comparator, v: SemVer, cmp: number): boolean {
  const con = c.version;
  if (!c.dirty) return cmp !== 0;
  if (con.major !== v.major) return true;
  if (c.minorDirty) return false;
  if (con.minor !== v.minor) return true;
  if (!c.patchDirty) return con.patch !== v.patch || cmp !== 0;
  if (v.prerelease.length > 0 || con.prerelease.length > 0) {
    return (
      compareVersions({ ...v, major: 0, minor: 0, patch: 0 }, { ...con, major: 0, minor: 0, patch: 0 }) !== 0
    );
  }
  return false;
}

function greaterThan(c: Comparator, v: SemVer, cmp: number): boolean {
  const con = c.version;
  if (!c.dirty) return cmp > 0;
  if (v.major !== con.major) return v.major > con.major;
  if (c.minorDirty) return false;
  if (c.patchDirty) return v.minor > con.minor;
  return cmp > 0;
}

function lessOrEqual(c: Comparator, v: SemVer, cmp: number): boolean {
  const con = c.version;
  if (!c.dirty) return cmp <= 0;
  if (v.major > con.major) return false;
  return !(v.major === con.major && v.minor > con.minor && !c.minorDirty);
}

function tilde(c: Comparator, v: SemVer, cmp: number): boolean {
  const con = c.version;
  if (cmp < 0) return false;
  if (con.major === 0 && con.minor === 0 && con.patch === 0 && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== con.major) return false;
  return v.minor === con.minor || c.minorDirty;
}

function caret(c: Comparator, v: SemVer, cmp: number): boolean {
  const con = c.version;
  if (cmp < 0) return false;
  if (con.major > 0 || c.minorDirty) return v.major === con.major;
  if (v.major > 0) return false;
  if (con.minor > 0 || c.patchDirty) return v.minor === con.minor;
  if (v.minor > 0) return false;
  return v.patch === con.patch;
}

/** The highest of `candidates` inside the range, read with `parse` (strict for images, lenient for git tags). */
export function highestInRange(
  range: FluxRange,
  candidates: Iterable<string>,
  parse: (text: string) => SemVer | undefined,
): SemVer | undefined {
  let best: SemVer | undefined;
  for (const c of candidates) {
    const v = parse(c);
    if (v && range.matches(v) && (!best || compareVersions(v, best) > 0)) best = v;
  }
  return best;
}

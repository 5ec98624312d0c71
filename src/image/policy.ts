import { compareVersions, type SemVer } from "../semver/version.ts";
import { parseFluxRange, parseStrictVersion, type FluxRange } from "../semver/range.ts";
import { compareByteOrder } from "../common/byte-order.ts";
import { compileGoRegexp, ExpandTemplate, GoRegexpError, type GoRegexp } from "../common/go-regexp.ts";

/**
 * Latest-tag selection as Flux's ImagePolicy does it (`spec.policy`, `spec.filterTags`).
 *
 * - filterTags: `pattern` is a Go regular expression searched (not anchored) in each tag; tags
 *   without a match are dropped. With `extract`, the policy orders the expanded template
 *   (`$name`, `${name}`, `$1`) instead of the tag, and the original tag is returned. Two tags that
 *   extract the same value: the later one in the input wins, as in Flux.
 * - semver: tags are read strictly (`v` prefix allowed, `1.2` is not a version); ranges and
 *   pre-releases follow Masterminds semver v3.4 (see src/semver/range.ts).
 * - alphabetical: byte order; `asc` (default) selects the last tag, `desc` the first.
 * - numerical: tags that are decimal numbers; `asc` (default) selects the largest, `desc` the
 *   smallest. Flux fails the whole policy on a tag that is not a number; we skip such tags.
 *
 * Ties (equal semver precedence, equal numbers) are broken by byte order of the compared value so
 * that the result never depends on the order of the input; the choice equals Flux's when the
 * registry lists tags sorted, as the Distribution registry does.
 */

export interface PolicyChoice {
  semver?: { range: string } | undefined;
  alphabetical?: { order?: string | undefined } | undefined;
  numerical?: { order?: string | undefined } | undefined;
}

export interface TagFilter {
  pattern: string;
  extract?: string | undefined;
}

export interface SelectedTag {
  tag: string;
  /** The value the policy compared, when `filterTags.extract` is set. */
  extracted?: string;
}

export type InvalidPolicyProblem = "NoPolicy" | "SemverRange" | "Order" | "FilterPattern" | "ExtractTemplate";

/** The ImagePolicy spec cannot be evaluated; retrying does not help until the spec changes. */
export class InvalidPolicyError extends Error {
  /** The condition reason Flux uses (the ImagePolicy is marked Stalled). */
  readonly reason = "InvalidPolicy";
  readonly problem: InvalidPolicyProblem;
  /** The offending field, e.g. `spec.filterTags.pattern`. */
  readonly field: string;

  constructor(problem: InvalidPolicyProblem, field: string, detail: string) {
    super(`invalid policy: ${field}: ${detail}`);
    this.name = "InvalidPolicyError";
    this.problem = problem;
    this.field = field;
  }
}

/** A compiled policy: validate once, then select from any number of tag lists. */
export interface TagSelector {
  select(tags: readonly string[]): SelectedTag | undefined;
  /** The tags `filterTags` lets through, for an order the policy does not know (creation time). */
  candidates(tags: readonly string[]): string[];
}

export function selectTag(
  tags: readonly string[],
  policy: PolicyChoice,
  filter?: TagFilter,
): SelectedTag | undefined {
  return compilePolicy(policy, filter).select(tags);
}

interface Candidate {
  /** What the policy compares: the tag, or the value extracted from it. */
  value: string;
  tag: string;
}

type Chooser = (candidates: Iterable<Candidate>) => Candidate | undefined;

/** Checks the spec and prepares the regular expressions and the range; throws InvalidPolicyError. */
export function compilePolicy(policy: PolicyChoice, filter?: TagFilter): TagSelector {
  const choose = chooser(policy);
  const candidatesOf = filter ? compileFilter(filter) : unfiltered;
  const extracting = filter?.extract !== undefined && filter.extract !== "";
  return {
    select(tags) {
      const best = choose(candidatesOf(tags));
      if (!best) return undefined;
      return extracting ? { tag: best.tag, extracted: best.value } : { tag: best.tag };
    },
    candidates: (tags) => [...candidatesOf(tags)].map((candidate) => candidate.tag),
  };
}

function* unfiltered(tags: readonly string[]): Iterable<Candidate> {
  for (const tag of tags) yield { value: tag, tag };
}

function compileFilter(filter: TagFilter): (tags: readonly string[]) => Iterable<Candidate> {
  let regexp: GoRegexp;
  try {
    regexp = compileGoRegexp(filter.pattern);
  } catch (error) {
    const detail = error instanceof GoRegexpError ? error.message : String(error);
    throw new InvalidPolicyError("FilterPattern", "spec.filterTags.pattern", detail);
  }
  let template: ExpandTemplate | undefined;
  if (filter.extract !== undefined && filter.extract !== "") {
    try {
      template = new ExpandTemplate(filter.extract, regexp);
    } catch (error) {
      const detail = `${JSON.stringify(filter.extract)}: ${error instanceof Error ? error.message : String(error)}`;
      throw new InvalidPolicyError("ExtractTemplate", "spec.filterTags.extract", detail);
    }
  }
  return (tags) => {
    const byValue = new Map<string, string>();
    for (const tag of tags) {
      const match = regexp.exec(tag);
      if (match) byValue.set(template ? template.expand(match) : tag, tag);
    }
    return mapCandidates(byValue);
  };
}

function* mapCandidates(byValue: Map<string, string>): Iterable<Candidate> {
  for (const [value, tag] of byValue) yield { value, tag };
}

function chooser(policy: PolicyChoice): Chooser {
  if (policy.semver) return semverChooser(policy.semver.range);
  if (policy.alphabetical) {
    const descending = order(policy.alphabetical.order, "spec.policy.alphabetical.order");
    return (candidates) => extreme(candidates, (c) => c.value, compareByteOrder, descending);
  }
  if (policy.numerical) {
    const descending = order(policy.numerical.order, "spec.policy.numerical.order");
    return numericalChooser(descending);
  }
  throw new InvalidPolicyError(
    "NoPolicy",
    "spec.policy",
    "one of semver, alphabetical or numerical is required",
  );
}

/** True for descending. Flux accepts the order in any case. */
function order(value: string | undefined, field: string): boolean {
  const upper = (value ?? "").toUpperCase();
  if (upper === "" || upper === "ASC") return false;
  if (upper === "DESC") return true;
  throw new InvalidPolicyError("Order", field, `${JSON.stringify(value)} is not one of asc, desc`);
}

function semverChooser(rangeText: string): Chooser {
  let range: FluxRange;
  try {
    range = parseFluxRange(rangeText);
  } catch (error) {
    throw new InvalidPolicyError(
      "SemverRange",
      "spec.policy.semver.range",
      error instanceof Error ? error.message : String(error),
    );
  }
  return (candidates) => {
    let best: { candidate: Candidate; version: SemVer } | undefined;
    for (const candidate of candidates) {
      const version = parseStrictVersion(candidate.value);
      if (!version || !range.matches(version)) continue;
      const c = best ? compareVersions(version, best.version) : 1;
      if (c > 0 || (c === 0 && best && compareByteOrder(candidate.value, best.candidate.value) < 0)) {
        best = { candidate, version };
      }
    }
    return best?.candidate;
  };
}

const decimalNumber = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number as Go's strconv.ParseFloat reads decimal text; undefined otherwise. */
export function parseNumber(text: string): number | undefined {
  if (!decimalNumber.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function numericalChooser(descending: boolean): Chooser {
  return (candidates) => {
    let best: { candidate: Candidate; number: number } | undefined;
    for (const candidate of candidates) {
      const number = parseNumber(candidate.value);
      if (number === undefined) continue;
      const better = best === undefined || (descending ? number < best.number : number > best.number);
      const tie = best !== undefined && number === best.number;
      if (better || (tie && compareByteOrder(candidate.value, best!.candidate.value) > 0)) {
        best = { candidate, number };
      }
    }
    return best?.candidate;
  };
}

function extreme<T>(
  items: Iterable<T>,
  key: (item: T) => string,
  compare: (a: string, b: string) => number,
  lowest: boolean,
): T | undefined {
  let best: T | undefined;
  let bestKey = "";
  for (const item of items) {
    const k = key(item);
    if (best === undefined || (lowest ? compare(k, bestKey) < 0 : compare(k, bestKey) > 0)) {
      best = item;
      bestKey = k;
    }
  }
  return best;
}

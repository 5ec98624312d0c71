/**
 * Go (RE2) regular expressions and `Regexp.Expand` templates, as users write them in
 * `filterTags.pattern`, `filterTags.extract`, `exclusionList`, Alert lists, Receiver filters and
 * template functions. Patterns run on re2js, a port of RE2: the syntax is Go's (named groups
 * `(?P<name>...)`, flags, POSIX classes, `\pL`, `\Q...\E`) and matching takes time linear in the
 * input, so a tenant's pattern such as `^(a+)+$` cannot hold the event loop (JavaScript's
 * backtracking engine needs exponential time for it).
 */
import { RE2JS, RE2JSException } from "re2js";

export class GoRegexpError extends Error {
  readonly pattern: string;
  constructor(pattern: string, problem: string) {
    super(`invalid regular expression ${JSON.stringify(pattern)}: ${problem}`);
    this.name = "GoRegexpError";
    this.pattern = pattern;
  }
}

/** A match: `[0]` the whole match, `[n]` group n (undefined when it did not take part). */
export type GoMatch = RegExpMatchArray;

/** A compiled Go regular expression. Unlike a JavaScript RegExp it has no mutable state. */
export class GoRegexp {
  readonly source: string;
  readonly groupCount: number;
  readonly groupNames: ReadonlySet<string>;
  readonly #re: RE2JS;

  constructor(source: string) {
    this.source = source;
    try {
      this.#re = RE2JS.compile(source);
    } catch (error) {
      if (!(error instanceof RE2JSException)) throw error;
      throw new GoRegexpError(source, error.message.replace(/^error parsing regexp: /, ""));
    }
    this.groupCount = this.#re.groupCount();
    this.groupNames = new Set(Object.keys(this.#re.namedGroups()));
  }

  test(input: string): boolean {
    return this.#re.test(input);
  }

  exec(input: string): GoMatch | null {
    return this.#re.exec(input) as GoMatch | null;
  }

  /** Successive non-overlapping matches, as Go's FindAll: no empty match right after a match. */
  *matchAll(input: string): Generator<GoMatch> {
    let previousEnd = -1;
    for (const match of this.#re.matchAll(input)) {
      const start = match.index!;
      if (match[0] === "" && start === previousEnd) continue;
      previousEnd = start + match[0].length;
      yield match;
    }
  }

  /** Go's ReplaceAllStringFunc with access to the groups. */
  replaceAll(input: string, replacer: (match: GoMatch) => string): string {
    let result = "";
    let copied = 0;
    for (const match of this.matchAll(input)) {
      result += input.slice(copied, match.index) + replacer(match);
      copied = match.index! + match[0].length;
    }
    return result + input.slice(copied);
  }

  /** Go's Regexp.Split: at most n pieces (all when n < 0), none when n is 0. */
  split(input: string, n: number): string[] {
    if (n === 0) return [];
    if (this.source !== "" && input === "") return [""];
    const pieces: string[] = [];
    let begin = 0;
    let end = 0;
    for (const match of this.matchAll(input)) {
      if (n > 0 && pieces.length === n - 1) break;
      end = match.index!;
      const matchEnd = end + match[0].length;
      if (matchEnd !== 0) pieces.push(input.slice(begin, end));
      begin = matchEnd;
    }
    if (end !== input.length) pieces.push(input.slice(begin));
    return pieces;
  }
}

/** Compiles a Go regular expression, or throws GoRegexpError naming what RE2 refuses. */
export function compileGoRegexp(pattern: string): GoRegexp {
  return new GoRegexp(pattern);
}

type TemplatePart = string | { group: number } | { name: string };

/**
 * A Go `Regexp.Expand` template: `$1`, `$name`, `${name}`, `$$` for a dollar. As in Go, a name is
 * the longest run of letters, digits and underscores (`$1x` means group "1x", not `${1}x`), and a
 * `$` not followed by a name is literal. Unlike Go, a reference to a group the pattern does not
 * have is an error instead of silently expanding to nothing.
 */
export class ExpandTemplate {
  readonly template: string;
  readonly #parts: TemplatePart[];

  constructor(template: string, regexp: GoRegexp) {
    this.template = template;
    this.#parts = parseTemplate(template);
    const count = regexp.groupCount;
    const names = regexp.groupNames;
    for (const part of this.#parts) {
      if (typeof part === "string") continue;
      if ("group" in part && part.group > count) {
        throw new Error(
          `$${part.group} refers to group ${part.group}, but the pattern has ${count} group(s)`,
        );
      }
      if ("name" in part && !names.has(part.name)) {
        const known = names.size === 0 ? "it has no named groups" : `its groups are ${[...names].join(", ")}`;
        throw new Error(`$${part.name} refers to a group the pattern does not name (${known})`);
      }
    }
  }

  expand(match: GoMatch): string {
    let result = "";
    for (const part of this.#parts) {
      if (typeof part === "string") result += part;
      else if ("group" in part) result += match[part.group] ?? "";
      else result += match.groups?.[part.name] ?? "";
    }
    return result;
  }
}

function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf("$", i);
    if (dollar === -1) break;
    literal += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === "$") {
      literal += "$";
      i++;
      continue;
    }
    const reference = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(template.slice(i));
    if (!reference) {
      literal += "$";
      continue;
    }
    if (literal) parts.push(literal);
    literal = "";
    parts.push(referenceTo(reference[1] ?? reference[2]!));
    i += reference[0].length;
  }
  literal += template.slice(i);
  if (literal) parts.push(literal);
  return parts;
}

/** Digits name a group number (Go: no leading zeros, below 1e8); anything else is a name. */
function referenceTo(name: string): TemplatePart {
  if (/^(?:0|[1-9]\d{0,7})$/.test(name)) return { group: Number(name) };
  return { name };
}

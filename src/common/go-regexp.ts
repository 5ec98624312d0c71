/**
 * Go (RE2) regular expressions and `Regexp.Expand` templates, as Flux users write them in
 * `filterTags.pattern`, `filterTags.extract` and `exclusionList`, run on JavaScript's engine.
 *
 * The translation covers what tag filters use: named groups `(?P<name>...)`, leading flags
 * `(?i)`/`(?s)`/`(?m)`, scoped flags `(?i:...)`, POSIX classes `[[:alpha:]]`, `\A`, `\z`, `\Q...\E`,
 * `\pL`/`\p{Greek}` and `\x{...}`. RE2 refuses lookarounds and backreferences, so we refuse them
 * too: a pattern accepted here is accepted by Flux. Matching semantics agree for these patterns
 * (both engines prefer the leftmost-first alternative, so the same groups capture).
 */

export class GoRegexpError extends Error {
  readonly pattern: string;
  constructor(pattern: string, problem: string) {
    super(`invalid regular expression ${JSON.stringify(pattern)}: ${problem}`);
    this.name = "GoRegexpError";
    this.pattern = pattern;
  }
}

const posixClasses: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const jsFlagsOf: Record<string, string> = { i: "i", m: "m", s: "s" };

interface Translation {
  source: string;
  flags: string;
}

/** Compiles a Go regular expression into an equivalent JavaScript one, or throws GoRegexpError. */
export function compileGoRegexp(pattern: string): RegExp {
  const { source, flags } = translateGoRegexp(pattern);
  try {
    return new RegExp(source, flags);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new GoRegexpError(pattern, message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, ""));
  }
}

export function translateGoRegexp(pattern: string): Translation {
  return new Translator(pattern).run();
}

class Translator {
  readonly #pattern: string;
  #position = 0;
  #out = "";
  readonly #flags = new Set<string>();
  #unicode = false;

  constructor(pattern: string) {
    this.#pattern = pattern;
  }

  run(): Translation {
    this.#leadingFlags();
    while (this.#position < this.#pattern.length) {
      const char = this.#pattern[this.#position]!;
      if (char === "\\") this.#escape(false);
      else if (char === "[") this.#characterClass();
      else if (char === "(") this.#group();
      else {
        this.#out += char;
        this.#position++;
      }
    }
    const flags = [...this.#flags].sort().join("") + (this.#unicode ? "u" : "");
    return { source: this.#out, flags };
  }

  #fail(problem: string): never {
    throw new GoRegexpError(this.#pattern, problem);
  }

  /** `(?i)` at the very start applies to the whole pattern: a JavaScript flag. */
  #leadingFlags(): void {
    const match = /^\(\?([a-zA-Z-]+)\)/.exec(this.#pattern);
    if (!match) return;
    for (const flag of match[1]!) {
      const js = jsFlagsOf[flag];
      if (js === undefined) this.#fail(`unsupported flag "${flag}" in ${match[0]}`);
      this.#flags.add(js);
    }
    this.#position = match[0].length;
  }

  #group(): void {
    const rest = this.#pattern.slice(this.#position);
    const named = /^\(\?P?<([A-Za-z0-9_]+)>/.exec(rest);
    if (named) {
      if (/^\d/.test(named[1]!)) this.#fail(`group name "${named[1]}" must not start with a digit`);
      this.#out += `(?<${named[1]}>`;
      this.#position += named[0].length;
      return;
    }
    const lookaround = /^\(\?(<?[=!])/.exec(rest);
    if (lookaround) this.#fail(`invalid or unsupported Perl syntax: \`(?${lookaround[1]}\``);
    const scopedFlags = /^\(\?([a-zA-Z-]*)([:)])/.exec(rest);
    if (scopedFlags && scopedFlags[1] !== "") {
      if (scopedFlags[2] === ")") {
        this.#fail(
          `flags ${scopedFlags[0]} are only supported at the start of the pattern; use (?flags:...)`,
        );
      }
      if (/[^ims-]/.test(scopedFlags[1]!)) this.#fail(`unsupported flags in ${scopedFlags[0]}`);
    }
    this.#out += "(";
    this.#position++;
  }

  #characterClass(): void {
    this.#out += "[";
    this.#position++;
    if (this.#pattern[this.#position] === "^") {
      this.#out += "^";
      this.#position++;
    }
    // In RE2 a `]` right after the opening bracket is a literal; in JavaScript it closes the class.
    if (this.#pattern[this.#position] === "]") {
      this.#out += "\\]";
      this.#position++;
    }
    while (this.#position < this.#pattern.length) {
      const char = this.#pattern[this.#position]!;
      if (char === "]") {
        this.#out += "]";
        this.#position++;
        return;
      }
      if (char === "\\") this.#escape(true);
      else if (char === "[" && this.#pattern[this.#position + 1] === ":") this.#posixClass();
      else {
        this.#out += char === "[" ? "\\[" : char;
        this.#position++;
      }
    }
    this.#fail("missing closing ]");
  }

  #posixClass(): void {
    const match = /^\[:(\^?)([a-z]+):\]/.exec(this.#pattern.slice(this.#position));
    if (!match) {
      this.#out += "\\[";
      this.#position++;
      return;
    }
    const ranges = posixClasses[match[2]!];
    if (ranges === undefined) this.#fail(`invalid character class range: \`${match[0]}\``);
    if (match[1] === "^") this.#fail(`negated POSIX class ${match[0]} is not supported`);
    this.#out += ranges;
    this.#position += match[0].length;
  }

  #escape(inClass: boolean): void {
    const next = this.#pattern[this.#position + 1];
    if (next === undefined) this.#fail("trailing backslash at end of expression");
    const two = `\\${next}`;
    this.#position += 2;
    if (next === "Q") return this.#quoted(inClass);
    if (next === "p" || next === "P") return this.#unicodeClass(next);
    if (next === "x" && this.#pattern[this.#position] === "{") return this.#hexEscape();
    if (/[1-9]/.test(next)) this.#fail(`invalid escape sequence: \`${two}\``);
    if (next === "C") this.#fail("\\C (any byte) is not supported");
    if (!inClass && next === "A") {
      this.#out += "(?<![\\s\\S])";
      return;
    }
    if (!inClass && next === "z") {
      this.#out += "(?![\\s\\S])";
      return;
    }
    this.#out += two;
  }

  /** `\Q...\E`: everything in between is literal text. */
  #quoted(inClass: boolean): void {
    const end = this.#pattern.indexOf("\\E", this.#position);
    const literal = this.#pattern.slice(this.#position, end === -1 ? undefined : end);
    this.#position = end === -1 ? this.#pattern.length : end + 2;
    const special = inClass ? /[\\\]^-]/g : /[\\^$.|?*+()[\]{}/]/g;
    this.#out += literal.replace(special, "\\$&");
  }

  #unicodeClass(letter: string): void {
    const braced = /^\{(\^?)([A-Za-z_]+)\}/.exec(this.#pattern.slice(this.#position));
    let name: string;
    let negate = letter === "P";
    if (braced) {
      name = braced[2]!;
      if (braced[1] === "^") negate = !negate;
      this.#position += braced[0].length;
    } else {
      name = this.#pattern[this.#position] ?? "";
      if (!/^[A-Za-z]$/.test(name)) this.#fail(`invalid character class range: \`\\${letter}${name}\``);
      this.#position++;
    }
    this.#unicode = true;
    // Go names general categories (L, Nd) and scripts (Greek) alike; JavaScript wants Script=.
    const property = /^(?:[A-Z][a-z]?|Any)$/.test(name) ? name : `Script=${name}`;
    this.#out += `\\${negate ? "P" : "p"}{${property}}`;
  }

  #hexEscape(): void {
    const match = /^\{([0-9A-Fa-f]{1,6})\}/.exec(this.#pattern.slice(this.#position));
    if (!match) this.#fail("invalid escape sequence: `\\x{`");
    this.#unicode = true;
    this.#out += `\\u{${match[1]}}`;
    this.#position += match[0].length;
  }
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

  constructor(template: string, regexp: RegExp) {
    this.template = template;
    this.#parts = parseTemplate(template);
    const { count, names } = groupsOf(regexp);
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

  expand(match: RegExpExecArray): string {
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

function groupsOf(regexp: RegExp): { count: number; names: Set<string> } {
  const probe = new RegExp(`${regexp.source}|`, regexp.flags.replace(/[gy]/g, "")).exec("");
  return { count: (probe?.length ?? 1) - 1, names: new Set(Object.keys(probe?.groups ?? {})) };
}

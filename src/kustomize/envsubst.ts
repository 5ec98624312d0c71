/**
 * `${var}` expansion with the semantics of Flux's post-build substitution (fluxcd/pkg/envsubst, a
 * fork of drone/envsubst), reimplemented:
 *
 * - `${var}`; undefined variables expand to "" unless `strict`, which makes them an error
 * - defaults: `${var:=word}`, `${var:-word}`, `${var=word}` (and `:?`, `:+`, which act the same):
 *   the word when the variable is unset or empty; the word may hold further `${...}`
 * - `${#var}` length, `${var^}` `${var^^}` `${var,}` `${var,,}` case, `${var:offset}`,
 *   `${var:offset:length}`, `${var#glob}` `${var##glob}` `${var%glob}` `${var%%glob}` trims,
 *   `${var/pattern/string}` and its `//`, `/#`, `/%` forms
 * - `$${` is a literal `${`, and `$$` a literal `$`; `$var` without braces is left alone
 *
 * A malformed expression (`${` without `}`, `${var-word}`, `${@}`) fails the whole text.
 * Offsets and lengths count characters (Go counts bytes; the same for ASCII values).
 */
export interface EnvsubstOptions {
  /** Fail on a variable that is not defined and has no default. */
  strict?: boolean | undefined;
}

/** Returns the value of a defined variable, undefined otherwise. */
export type VariableValue = (name: string) => string | undefined;

export class EnvsubstError extends Error {
  /** The start of the expression at fault, as written. */
  readonly expression: string;

  constructor(message: string, expression: string) {
    super(message);
    this.name = "EnvsubstError";
    this.expression = expression;
  }
}

export class VariableNotSetError extends EnvsubstError {
  readonly variable: string;

  constructor(variable: string) {
    super(`variable '${variable}' is not set and has no default`, `\${${variable}}`);
    this.name = "VariableNotSetError";
    this.variable = variable;
  }
}

export function envsubst(text: string, value: VariableValue, options: EnvsubstOptions = {}): string {
  const nodes = new Parser(text).parseText();
  return nodes.map((node) => evaluate(node, value, options.strict ?? false)).join("");
}

type TextNode = { kind: "text"; text: string };
type ExpansionNode = { kind: "expansion"; name: string; operator: string; args: Node[] };
type Node = TextNode | ExpansionNode;

const identifierChar = /^[\p{L}\p{Nd}_]$/u;

class Parser {
  readonly #src: string;
  #pos = 0;
  #expressionStart = 0;

  constructor(src: string) {
    this.#src = src;
  }

  parseText(): Node[] {
    const nodes: Node[] = [];
    while (this.#pos < this.#src.length) {
      if (this.#atExpansion()) nodes.push(this.#expansion());
      else nodes.push({ kind: "text", text: this.#plainText() });
    }
    return nodes;
  }

  #plainText(): string {
    let text = "";
    while (this.#pos < this.#src.length && !this.#atExpansion()) {
      if (this.#src.startsWith("$$", this.#pos)) {
        text += "$";
        this.#pos += 2;
      } else text += this.#src[this.#pos++];
    }
    return text;
  }

  #atExpansion(): boolean {
    return this.#src.startsWith("${", this.#pos);
  }

  #peek(offset = 0): string | undefined {
    return this.#src[this.#pos + offset];
  }

  /** At `${`: one expansion, through its closing brace. */
  #expansion(): ExpansionNode {
    this.#expressionStart = this.#pos;
    this.#pos += 2;
    if (this.#peek() === "#") {
      this.#pos++;
      const name = this.#identifier();
      if (name === "") throw this.#error("bad substitution");
      this.#close();
      return { kind: "expansion", name, operator: "#", args: [] };
    }
    const name = this.#identifier();
    if (name === "") throw this.#error("unable to parse variable name");
    switch (this.#peek()) {
      case ":":
        return "=-?+".includes(this.#peek(1) ?? "x") ? this.#withDefault(name) : this.#substring(name);
      case "=":
        return this.#withDefault(name);
      case ",":
      case "^":
        return this.#caseChange(name);
      case "/":
        return this.#replacement(name);
      case "#":
      case "%":
        return this.#trim(name, this.#peek() ?? "");
      case "}":
        this.#pos++;
        return { kind: "expansion", name, operator: "", args: [] };
      default:
        throw this.#error("missing closing brace");
    }
  }

  #identifier(): string {
    let name = "";
    for (;;) {
      const codePoint = this.#src.codePointAt(this.#pos);
      if (codePoint === undefined) return name;
      const char = String.fromCodePoint(codePoint);
      if (!identifierChar.test(char)) return name;
      name += char;
      this.#pos += char.length;
    }
  }

  #withDefault(name: string): ExpansionNode {
    const length = this.#peek() === "=" ? 1 : 2;
    const operator = this.#src.slice(this.#pos, this.#pos + length);
    this.#pos += length;
    const args: Node[] = [];
    while (this.#peek() !== "}") args.push(this.#argument((c) => c !== "}", false));
    this.#pos++;
    return { kind: "expansion", name, operator, args };
  }

  #substring(name: string): ExpansionNode {
    this.#pos++;
    const args = [this.#argument((c) => c !== ":" && c !== "}", false)];
    if (this.#peek() !== "}") {
      if (this.#peek() !== ":") throw this.#error("bad substitution");
      while (this.#peek() === ":") this.#pos++;
      args.push(this.#argument((c) => c !== "}", false));
    }
    this.#close();
    return { kind: "expansion", name, operator: ":", args };
  }

  #caseChange(name: string): ExpansionNode {
    let operator = "";
    while (operator.length < 2 && (this.#peek() === "," || this.#peek() === "^"))
      operator += this.#src[this.#pos++];
    this.#close();
    return { kind: "expansion", name, operator, args: [] };
  }

  #replacement(name: string): ExpansionNode {
    let operator = "/";
    this.#pos++;
    const second = this.#peek();
    if (second === "/" || second === "#" || second === "%") {
      operator += second;
      this.#pos++;
    }
    const pattern: Node =
      this.#peek() === "/" ? { kind: "text", text: "" } : this.#argument((c) => c !== "/", true);
    if (this.#peek() !== "/") throw this.#error("bad substitution");
    while (this.#peek() === "/") this.#pos++;
    const args = [pattern];
    if (this.#peek() !== "}") args.push(this.#argument((c) => c !== "}", true));
    this.#close();
    return { kind: "expansion", name, operator, args };
  }

  #trim(name: string, char: string): ExpansionNode {
    let operator = "";
    while (operator.length < 2 && this.#peek() === char) operator += this.#src[this.#pos++];
    const args = [this.#argument((c) => c !== "}", false)];
    this.#close();
    return { kind: "expansion", name, operator, args };
  }

  /** An operand: a nested expansion, or text of accepted characters (at least one). */
  #argument(accept: (char: string) => boolean, escapes: boolean): Node {
    if (this.#atExpansion()) {
      const outer = this.#expressionStart;
      const nested = this.#expansion();
      this.#expressionStart = outer;
      return nested;
    }
    let text = "";
    let empty = true;
    while (this.#pos < this.#src.length && !(this.#atExpansion() && !empty)) {
      const escaped = escapes ? this.#escaped() : undefined;
      if (escaped !== undefined) {
        text += escaped;
        this.#pos += 2;
      } else if (accept(this.#src[this.#pos] ?? "")) text += this.#src[this.#pos++];
      else break;
      empty = false;
    }
    if (empty) throw this.#error("unable to parse substitution within function");
    return { kind: "text", text };
  }

  /** `$$` is `$`, `\/` is `/` and `\\` is `\` inside replacement operands. */
  #escaped(): string | undefined {
    const pair = this.#src.slice(this.#pos, this.#pos + 2);
    if (pair === "$$") return "$";
    if (pair === "\\/" || pair === "\\\\") return pair[1];
    return undefined;
  }

  #close(): void {
    if (this.#peek() !== "}") throw this.#error("bad substitution");
    this.#pos++;
  }

  #error(message: string): EnvsubstError {
    const expression = this.#src.slice(
      this.#expressionStart,
      Math.min(this.#pos + 1, this.#expressionStart + 40),
    );
    return new EnvsubstError(message, expression.split("\n")[0] ?? "");
  }
}

const defaultOperators = new Set(["-", "+", "=", "?", ":-", ":+", ":=", ":?"]);

function evaluate(node: Node, value: VariableValue, strict: boolean): string {
  if (node.kind === "text") return node.text;
  const args = node.args.map((arg) => evaluate(arg, value, strict));
  const current = value(node.name);
  if (current === undefined && strict && !defaultOperators.has(node.operator))
    throw new VariableNotSetError(node.name);
  return operate(node.operator, current ?? "", args);
}

function operate(operator: string, value: string, args: string[]): string {
  const [first = "", second] = args;
  switch (operator) {
    case ",":
      return mapFirst(value, (c) => c.toLowerCase());
    case ",,":
      return value.toLowerCase();
    case "^":
      return mapFirst(value, (c) => c.toUpperCase());
    case "^^":
      return value.toUpperCase();
    case "#":
      return args.length === 0 ? String(Buffer.byteLength(value)) : trimPrefix(value, first, "shortest");
    case "##":
      return trimPrefix(value, first, "longest");
    case "%":
      return trimSuffix(value, first, "shortest");
    case "%%":
      return trimSuffix(value, first, "longest");
    case ":":
      return substring(value, first, second);
    case "/":
      return replace(value, first, second ?? "", 1);
    case "//":
      return replace(value, first, second ?? "", -1);
    case "/#":
      return second !== undefined && value.startsWith(first) ? replace(value, first, second, 1) : value;
    case "/%":
      return second !== undefined && value.endsWith(first)
        ? value.slice(0, value.length - first.length) + second
        : value;
    default:
      return value === "" && args.length > 0 ? args.join("") : value;
  }
}

function mapFirst(value: string, map: (char: string) => string): string {
  const [first, ...rest] = Array.from(value);
  return first === undefined ? value : map(first) + rest.join("");
}

const integer = /^[+-]?[0-9]+$/;

/** bash's ${var:offset:length}: a negative offset counts from the end, a negative length too. */
function substring(value: string, offsetText: string, lengthText: string | undefined): string {
  if (!integer.test(offsetText)) return value;
  const chars = Array.from(value);
  let offset = Number(offsetText);
  if (offset < 0) offset = Math.max(chars.length + offset, 0);
  if (lengthText === undefined) return chars.slice(offset).join("");
  if (!integer.test(lengthText)) return value;
  const length = Number(lengthText);
  const end = length < 0 ? chars.length + length : offset + length;
  return end < offset ? "" : chars.slice(offset, end).join("");
}

/** Go's strings.Replace: an empty `old` matches before every character and at the end. */
function replace(value: string, old: string, replacement: string, count: number): string {
  if (old === "") {
    const chars = Array.from(value);
    let out = "";
    for (let i = 0; i <= chars.length; i++) {
      if (count < 0 || i < count) out += replacement;
      out += chars[i] ?? "";
    }
    return out;
  }
  if (count < 0) return value.split(old).join(replacement);
  const at = value.indexOf(old);
  return at < 0 ? value : value.slice(0, at) + replacement + value.slice(at + old.length);
}

type Match = "shortest" | "longest";

/** Removes the shortest or longest non-empty prefix matching the glob; the value when none matches. */
function trimPrefix(value: string, glob: string, match: Match): string {
  const pattern = globRegExp(glob);
  if (pattern === undefined) return value;
  const chars = Array.from(value);
  const lengths = chars.map((_, i) => chars.length - i); // longest first, never empty
  const ordered = match === "longest" ? lengths : lengths.reverse();
  const length = ordered.find((n) => pattern.test(chars.slice(0, n).join("")));
  return length === undefined ? value : chars.slice(length).join("");
}

function trimSuffix(value: string, glob: string, match: Match): string {
  return reverse(trimPrefix(reverse(value), reverse(glob), match));
}

function reverse(text: string): string {
  return Array.from(text).reverse().join("");
}

/**
 * A glob as a whole-string RegExp: `*` any characters (`/` included), `?` one character,
 * `[a-z]` / `[^a-z]` classes, `\x` a literal x. Undefined for a malformed glob.
 */
export function globRegExp(glob: string): RegExp | undefined {
  let source = "";
  const chars = Array.from(glob);
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? "";
    if (char === "*") source += "[\\s\\S]*";
    else if (char === "?") source += "[\\s\\S]";
    else if (char === "\\") {
      const next = chars[++i];
      if (next === undefined) return undefined;
      source += escapeRegExp(next);
    } else if (char === "[") {
      const end = classEnd(chars, i);
      if (end === undefined) return undefined;
      source += characterClass(chars.slice(i + 1, end));
      i = end;
    } else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, "u");
}

function classEnd(chars: string[], start: number): number | undefined {
  let i = start + 1;
  if (chars[i] === "^") i++;
  for (let first = true; i < chars.length; i++, first = false) {
    if (chars[i] === "\\") i++;
    else if (chars[i] === "]" && !first) return i;
  }
  return undefined;
}

function characterClass(body: string[]): string {
  const negated = body[0] === "^";
  let source = negated ? "[^" : "[";
  for (let i = negated ? 1 : 0; i < body.length; i++) {
    const char = body[i] ?? "";
    if (char === "\\") source += escapeInClass(body[++i] ?? "");
    else if (char === "-") source += "-";
    else source += escapeInClass(char);
  }
  return `${source}]`;
}

function escapeRegExp(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

function escapeInClass(char: string): string {
  return /[\\\]\[^-]/.test(char) ? `\\${char}` : char;
}

/**
 * GitHub Actions' expression language (`${{ … }}`, `if:`): literals (null, booleans, numbers,
 * 'strings' with '' escapes), context access (`github.sha`, `matrix['os']`, `steps.*.outcome`),
 * `!` `<` `<=` `>` `>=` `==` `!=` `&&` `||` with GitHub's loose typing (strings compared
 * case-insensitively, mixed types as numbers), and the functions contains, startsWith, endsWith,
 * format, join, toJSON, fromJSON, hashFiles, success, failure, always, cancelled.
 */
export class ExpressionError extends Error {
  constructor(expression: string, message: string) {
    super(`${message} in \${{ ${expression} }}`);
    this.name = "ExpressionError";
  }
}

export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

export interface EvalContext {
  /** Named contexts: github, env, secrets, needs, steps, matrix, job, runner, inputs, vars. */
  contexts: Readonly<Record<string, Value>>;
  /** The job's state for success(), failure(), cancelled(). */
  status?: { failed: boolean; cancelled: boolean };
  hashFiles?: (patterns: string[]) => string;
}

type Node =
  | { kind: "literal"; value: Value }
  | { kind: "context"; name: string }
  | { kind: "member"; object: Node; property: Node | "*" }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "not"; operand: Node }
  | { kind: "binary"; op: string; left: Node; right: Node };

type Token = { kind: "punct" | "ident" | "number" | "string"; text: string; value?: Value };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const match =
      /^\s+/.exec(rest) ??
      /^(==|!=|<=|>=|&&|\|\||[!<>()[\],.*])/.exec(rest) ??
      /^-?(0x[0-9a-fA-F]+|\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(rest) ??
      /^'(?:[^']|'')*'/.exec(rest) ??
      /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest);
    if (!match) throw new ExpressionError(text, `unexpected ${JSON.stringify(rest.slice(0, 10))}`);
    const token = match[0];
    i += token.length;
    if (/^\s/.test(token)) continue;
    if (token.startsWith("'"))
      tokens.push({ kind: "string", text: token, value: token.slice(1, -1).replaceAll("''", "'") });
    else if (/^-?\d|^0x/.test(token)) tokens.push({ kind: "number", text: token, value: Number(token) });
    else if (/^[A-Za-z_]/.test(token)) tokens.push({ kind: "ident", text: token });
    else tokens.push({ kind: "punct", text: token });
  }
  return tokens;
}

class Parser {
  #i = 0;
  readonly #text: string;
  readonly #tokens: Token[];
  constructor(text: string) {
    this.#text = text;
    this.#tokens = tokenize(text);
  }

  parse(): Node {
    const node = this.#binary(0);
    if (this.#i < this.#tokens.length) this.#fail(`unexpected ${this.#tokens[this.#i]!.text}`);
    return node;
  }

  #fail(message: string): never {
    throw new ExpressionError(this.#text, message);
  }

  #peek(text: string): boolean {
    const token = this.#tokens[this.#i];
    return token?.kind === "punct" && token.text === text;
  }

  #expect(text: string): void {
    if (!this.#peek(text)) this.#fail(`expected ${text}`);
    this.#i++;
  }

  static readonly levels = [["||"], ["&&"], ["==", "!="], ["<", "<=", ">", ">="]];

  #binary(level: number): Node {
    if (level === Parser.levels.length) return this.#unary();
    let left = this.#binary(level + 1);
    for (;;) {
      const token = this.#tokens[this.#i];
      if (token?.kind !== "punct" || !Parser.levels[level]!.includes(token.text)) return left;
      this.#i++;
      left = { kind: "binary", op: token.text, left, right: this.#binary(level + 1) };
    }
  }

  #unary(): Node {
    if (this.#peek("!")) {
      this.#i++;
      return { kind: "not", operand: this.#unary() };
    }
    let node = this.#primary();
    for (;;) {
      if (this.#peek(".")) {
        this.#i++;
        const token = this.#tokens[this.#i++];
        if (token?.kind === "punct" && token.text === "*")
          node = { kind: "member", object: node, property: "*" };
        else if (token?.kind === "ident")
          node = { kind: "member", object: node, property: { kind: "literal", value: token.text } };
        else this.#fail("expected a property name after .");
      } else if (this.#peek("[")) {
        this.#i++;
        const property = this.#peek("*") ? (this.#i++, "*" as const) : this.#binary(0);
        this.#expect("]");
        node = { kind: "member", object: node, property };
      } else return node;
    }
  }

  #primary(): Node {
    const token = this.#tokens[this.#i++];
    if (!token) this.#fail("unexpected end");
    if (token.kind === "string" || token.kind === "number") return { kind: "literal", value: token.value! };
    if (token.kind === "punct" && token.text === "(") {
      const inner = this.#binary(0);
      this.#expect(")");
      return inner;
    }
    if (token.kind !== "ident") this.#fail(`unexpected ${token.text}`);
    const word = token.text;
    if (word === "true" || word === "false") return { kind: "literal", value: word === "true" };
    if (word === "null") return { kind: "literal", value: null };
    if (!this.#peek("(")) return { kind: "context", name: word.toLowerCase() };
    this.#i++;
    const args: Node[] = [];
    while (!this.#peek(")")) {
      args.push(this.#binary(0));
      if (!this.#peek(")")) this.#expect(",");
    }
    this.#i++;
    const name = word.toLowerCase();
    if (!(name in functions)) this.#fail(`unknown function ${word}`);
    return { kind: "call", name, args };
  }
}

export const truthy = (value: Value): boolean =>
  !(value === null || value === false || value === 0 || value === "" || Number.isNaN(value));

function toNumber(value: Value): number {
  if (value === null) return 0;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "string") return value.trim() === "" ? 0 : Number(value);
  return NaN;
}

export function toText(value: Value): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function looseEqual(a: Value, b: Value): boolean {
  if (typeof a === "string" && typeof b === "string") return a.toLowerCase() === b.toLowerCase();
  if (typeof a === "object" && a !== null) return a === b;
  if (typeof b === "object" && b !== null) return false;
  if (typeof a === typeof b) return a === b;
  return toNumber(a) === toNumber(b);
}

function compare(a: Value, b: Value): number {
  if (typeof a === "string" && typeof b === "string") {
    const [x, y] = [a.toLowerCase(), b.toLowerCase()];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const [x, y] = [toNumber(a), toNumber(b)];
  return Number.isNaN(x) || Number.isNaN(y) ? NaN : x - y;
}

/** Arrays made by a `*` filter: a property access after it applies to each item. */
const filtered = new WeakSet<Value[]>();

const filter = (items: Value[]): Value[] => {
  filtered.add(items);
  return items;
};

function member(object: Value, property: Value): Value {
  if (Array.isArray(object) && filtered.has(object))
    return filter(object.map((item) => member(item, property)).filter((v) => v !== null));
  if (Array.isArray(object)) return typeof property === "number" ? (object[property] ?? null) : null;
  if (object === null || typeof object !== "object") return null;
  const key = toText(property).toLowerCase();
  const found = Object.keys(object).find((k) => k.toLowerCase() === key);
  return found === undefined ? null : (object[found] ?? null);
}

type Fn = (args: Value[], ctx: EvalContext) => Value;

const functions: Record<string, Fn> = {
  contains: ([haystack = null, needle = null]) =>
    Array.isArray(haystack)
      ? haystack.some((item) => looseEqual(item, needle))
      : toText(haystack).toLowerCase().includes(toText(needle).toLowerCase()),
  startswith: ([s = null, p = null]) => toText(s).toLowerCase().startsWith(toText(p).toLowerCase()),
  endswith: ([s = null, p = null]) => toText(s).toLowerCase().endsWith(toText(p).toLowerCase()),
  format: ([template = null, ...args]) =>
    toText(template).replace(/\{\{|\}\}|\{(\d+)\}/g, (match, index: string | undefined) =>
      match === "{{" ? "{" : match === "}}" ? "}" : toText(args[Number(index)] ?? null),
    ),
  join: ([items = null, separator = ","]) =>
    Array.isArray(items) ? items.map(toText).join(toText(separator)) : toText(items),
  tojson: ([value = null]) => JSON.stringify(value, null, 2),
  fromjson: ([text = null]) => JSON.parse(toText(text)) as Value,
  hashfiles: (args, ctx) => ctx.hashFiles?.(args.map(toText)) ?? "",
  success: (_, ctx) => !ctx.status?.failed && !ctx.status?.cancelled,
  failure: (_, ctx) => ctx.status?.failed === true,
  always: () => true,
  cancelled: (_, ctx) => ctx.status?.cancelled === true,
};

function evaluate(node: Node, ctx: EvalContext): Value {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "context":
      return ctx.contexts[node.name] ?? null;
    case "member": {
      const object = evaluate(node.object, ctx);
      if (node.property !== "*") return member(object, evaluate(node.property, ctx));
      if (Array.isArray(object)) return filter(filtered.has(object) ? object.flat() : [...object]);
      return filter(object !== null && typeof object === "object" ? Object.values(object) : []);
    }
    case "call":
      return functions[node.name]!(
        node.args.map((arg) => evaluate(arg, ctx)),
        ctx,
      );
    case "not":
      return !truthy(evaluate(node.operand, ctx));
    case "binary": {
      const left = evaluate(node.left, ctx);
      if (node.op === "&&") return truthy(left) ? evaluate(node.right, ctx) : left;
      if (node.op === "||") return truthy(left) ? left : evaluate(node.right, ctx);
      const right = evaluate(node.right, ctx);
      if (node.op === "==") return looseEqual(left, right);
      if (node.op === "!=") return !looseEqual(left, right);
      const order = compare(left, right);
      if (Number.isNaN(order)) return false;
      return { "<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0 }[node.op] ?? false;
    }
  }
}

export function evaluateExpression(text: string, ctx: EvalContext): Value {
  return evaluate(new Parser(text).parse(), ctx);
}

/** Throws ExpressionError when `text` does not parse. */
export function checkExpression(text: string): void {
  new Parser(text).parse();
}

const templated = /\$\{\{([\s\S]*?)\}\}/g;

/** Every `${{ … }}` of `text` replaced by its value's text. */
export function interpolate(text: string, ctx: EvalContext): string {
  return text.replace(templated, (_, expression: string) => toText(evaluateExpression(expression, ctx)));
}

/** The expressions inside `${{ … }}` of `text`. */
export const expressionsIn = (text: string): string[] => [...text.matchAll(templated)].map((m) => m[1]!);

/** An `if:` condition: `${{ }}` optional, and `success() &&` implied when it names no status function. */
export function condition(text: string | boolean | undefined): string {
  if (text === undefined) return "success()";
  const inner = String(text)
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
  return /\b(success|failure|always|cancelled)\s*\(/i.test(inner) ? inner : `success() && (${inner})`;
}

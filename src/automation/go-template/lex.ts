/**
 * Splits a Go text/template into text and actions, applying `{{- ` / ` -}}` trimming and dropping
 * `{{/* comments *\/}}`, and tokenizes each action.
 */
import { parseError } from "./errors.ts";

export type TokenKind =
  | "dot"
  | "field"
  | "variable"
  | "identifier"
  | "keyword"
  | "string"
  | "number"
  | "bool"
  | "nil"
  | "lparen"
  | "rparen"
  | "pipe"
  | "comma"
  | "declare"
  | "assign";

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token. */
  readonly text: string;
  readonly offset: number;
  /** Whether whitespace separates this token from the previous one. */
  readonly spaceBefore: boolean;
  /** Field names: `.A.B` → ["A","B"]; `$x.A` → ["A"]; a field chain after `)`. */
  readonly fields?: readonly string[];
  /** Variable name with its `$`; identifier or keyword name. */
  readonly name?: string;
  /** Literal value of strings, numbers, booleans. */
  readonly value?: string | number | boolean;
}

export interface TextSegment {
  readonly kind: "text";
  readonly text: string;
  readonly offset: number;
}

export interface ActionSegment {
  readonly kind: "action";
  readonly tokens: readonly Token[];
  /** Offset of the opening `{{`. */
  readonly offset: number;
}

export type Segment = TextSegment | ActionSegment;

const keywords: ReadonlySet<string> = new Set([
  "if",
  "else",
  "end",
  "range",
  "with",
  "define",
  "template",
  "block",
  "break",
  "continue",
]);

const isSpace = (c: string | undefined): boolean => c === " " || c === "\t" || c === "\r" || c === "\n";
const isIdentStart = (c: string | undefined): boolean => c !== undefined && /[\p{L}_]/u.test(c);
const isIdentPart = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

function trimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length && isSpace(s[i])) i++;
  return s.slice(i);
}

function trimRightSpace(s: string): string {
  let i = s.length;
  while (i > 0 && isSpace(s[i - 1])) i--;
  return s.slice(0, i);
}

export function lex(source: string, name: string): Segment[] {
  return new Lexer(source, name).run();
}

class Lexer {
  readonly #source: string;
  readonly #name: string;
  #pos = 0;
  readonly #segments: Segment[] = [];

  constructor(source: string, name: string) {
    this.#source = source;
    this.#name = name;
  }

  fail(offset: number, detail: string, code: "syntax" | "unclosed-action" = "syntax"): never {
    throw parseError(this.#name, this.#source, offset, detail, code);
  }

  run(): Segment[] {
    let trimNext = false;
    for (;;) {
      const open = this.#source.indexOf("{{", this.#pos);
      let text = this.#source.slice(this.#pos, open < 0 ? undefined : open);
      const textOffset = this.#pos;
      if (trimNext) text = trimLeftSpace(text);
      if (open < 0) {
        this.#pushText(text, textOffset);
        return this.#segments;
      }
      let inner = open + 2;
      if (this.#source[inner] === "-" && isSpace(this.#source[inner + 1])) {
        text = trimRightSpace(text);
        inner += 2;
      }
      this.#pushText(text, textOffset);
      trimNext = this.#action(open, inner);
    }
  }

  #pushText(text: string, offset: number): void {
    if (text !== "") this.#segments.push({ kind: "text", text, offset });
  }

  /** Lexes one action starting after its delimiter (and left trim marker); returns whether it trims right. */
  #action(open: number, inner: number): boolean {
    if (this.#source.startsWith("/*", inner)) return this.#comment(open, inner);
    const tokens: Token[] = [];
    let p = inner;
    let spaceBefore = true;
    for (;;) {
      const c = this.#source[p];
      if (c === undefined) this.fail(open, "unclosed action", "unclosed-action");
      if (this.#source.startsWith("}}", p)) {
        this.#pos = p + 2;
        this.#segments.push({ kind: "action", tokens, offset: open });
        return false;
      }
      if (isSpace(c)) {
        if (this.#source[p + 1] === "-" && this.#source.startsWith("}}", p + 2)) {
          this.#pos = p + 4;
          this.#segments.push({ kind: "action", tokens, offset: open });
          return true;
        }
        p++;
        spaceBefore = true;
        continue;
      }
      const token = this.#token(p, spaceBefore, open);
      tokens.push(token);
      p = token.offset + token.text.length;
      spaceBefore = false;
    }
  }

  #comment(open: number, start: number): boolean {
    const close = this.#source.indexOf("*/", start + 2);
    if (close < 0) this.fail(open, "unclosed comment", "unclosed-action");
    const after = close + 2;
    if (this.#source.startsWith("}}", after)) {
      this.#pos = after + 2;
      return false;
    }
    if (isSpace(this.#source[after]) && this.#source.startsWith("-}}", after + 1)) {
      this.#pos = after + 4;
      return true;
    }
    return this.fail(open, "comment ends before closing delimiter");
  }

  #token(p: number, spaceBefore: boolean, open: number): Token {
    const s = this.#source;
    const c = s[p];
    const make = (kind: TokenKind, end: number, extra: Partial<Token> = {}): Token => ({
      kind,
      text: s.slice(p, end),
      offset: p,
      spaceBefore,
      ...extra,
    });
    switch (c) {
      case "(":
        return make("lparen", p + 1);
      case ")":
        return make("rparen", p + 1);
      case "|":
        return make("pipe", p + 1);
      case ",":
        return make("comma", p + 1);
      case "=":
        return make("assign", p + 1);
      case ":":
        if (s[p + 1] === "=") return make("declare", p + 2);
        return this.fail(p, "expected :=");
      case '"':
        return this.#quoted(p, spaceBefore);
      case "`":
        return this.#raw(p, spaceBefore, open);
      case "'":
        return this.#char(p, spaceBefore);
      case "$": {
        const end = this.#identEnd(p + 1);
        return this.#withFields("variable", p, end, spaceBefore, { name: s.slice(p, end) });
      }
      case ".":
        if (isDigit(s[p + 1])) return this.#number(p, spaceBefore);
        if (isIdentStart(s[p + 1])) return this.#withFields("field", p, p, spaceBefore, {});
        return make("dot", p + 1);
    }
    if (isDigit(c) || ((c === "-" || c === "+") && (isDigit(s[p + 1]) || s[p + 1] === "."))) {
      return this.#number(p, spaceBefore);
    }
    if (isIdentStart(c)) {
      const end = this.#identEnd(p);
      const word = s.slice(p, end);
      if (word === "true" || word === "false") return make("bool", end, { value: word === "true" });
      if (word === "nil") return make("nil", end);
      if (keywords.has(word)) return make("keyword", end, { name: word });
      if (s[end] === "." && isIdentStart(s[end + 1])) this.fail(end, `unexpected . after term "${word}"`);
      return make("identifier", end, { name: word });
    }
    return this.fail(p, `unexpected ${JSON.stringify(c)} in command`);
  }

  #identEnd(p: number): number {
    let end = p;
    while (isIdentPart(this.#source[end])) end++;
    return end;
  }

  /** A token followed by `.Field.Field…`. */
  #withFields(
    kind: "variable" | "field",
    p: number,
    headEnd: number,
    spaceBefore: boolean,
    extra: Partial<Token>,
  ): Token {
    const fields: string[] = [];
    let end = headEnd;
    while (this.#source[end] === "." && isIdentStart(this.#source[end + 1])) {
      const fieldEnd = this.#identEnd(end + 1);
      fields.push(this.#source.slice(end + 1, fieldEnd));
      end = fieldEnd;
    }
    return { kind, text: this.#source.slice(p, end), offset: p, spaceBefore, fields, ...extra };
  }

  #number(p: number, spaceBefore: boolean): Token {
    const m =
      /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?\d+)?|[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?)/.exec(
        this.#source.slice(p),
      );
    const text = m?.[0] ?? "";
    const value = parseGoNumber(text);
    if (value === undefined || isIdentPart(this.#source[p + text.length])) {
      this.fail(p, `bad number syntax: ${JSON.stringify(this.#source.slice(p, p + text.length + 1))}`);
    }
    return { kind: "number", text, offset: p, spaceBefore, value };
  }

  #quoted(p: number, spaceBefore: boolean): Token {
    let end = p + 1;
    for (;;) {
      const c = this.#source[end];
      if (c === undefined || c === "\n") this.fail(p, "unterminated quoted string");
      if (c === "\\") end += 2;
      else if (c === '"') break;
      else end++;
    }
    const text = this.#source.slice(p, end + 1);
    return { kind: "string", text, offset: p, spaceBefore, value: unquote(text.slice(1, -1), p, this) };
  }

  #raw(p: number, spaceBefore: boolean, open: number): Token {
    const end = this.#source.indexOf("`", p + 1);
    if (end < 0) this.fail(open, "unterminated raw quoted string");
    const text = this.#source.slice(p, end + 1);
    return { kind: "string", text, offset: p, spaceBefore, value: text.slice(1, -1).replaceAll("\r", "") };
  }

  #char(p: number, spaceBefore: boolean): Token {
    let end = p + 1;
    while (this.#source[end] !== undefined && this.#source[end] !== "'" && this.#source[end] !== "\n") {
      end += this.#source[end] === "\\" ? 2 : 1;
    }
    if (this.#source[end] !== "'") this.fail(p, "unterminated character constant");
    const text = this.#source.slice(p, end + 1);
    const decoded = unquote(text.slice(1, -1), p, this);
    const point = decoded.codePointAt(0);
    if (point === undefined || String.fromCodePoint(point) !== decoded)
      this.fail(p, "malformed character constant");
    return { kind: "number", text, offset: p, spaceBefore, value: point };
  }
}

/** Go integer and float literal syntax (underscores, 0x, 0o, 0b, legacy octal). */
export function parseGoNumber(text: string): number | undefined {
  if (text === "" || /^[+-]?\.?$/.test(text)) return undefined;
  const sign = text.startsWith("-") ? -1 : 1;
  let body = text.replace(/^[+-]/, "");
  if (/_$|__|^_/.test(body)) return undefined;
  body = body.replaceAll("_", "");
  let value: number;
  if (/^0[0-7]+$/.test(body)) value = parseInt(body.slice(1), 8);
  else if (/^0[xX][0-9a-fA-F]+$/.test(body) || /^0[oO][0-7]+$/.test(body) || /^0[bB][01]+$/.test(body)) {
    value = Number(body);
  } else if (/^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(body)) value = Number(body);
  else return undefined;
  return Number.isFinite(value) ? sign * value : undefined;
}

const simpleEscapes: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

function unquote(body: string, offset: number, lexer: Lexer): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? "";
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[i + 1] ?? "";
    const simple = simpleEscapes[e];
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    const hex = { x: 2, u: 4, U: 8 }[e as "x" | "u" | "U"] as number | undefined;
    const digits = hex === undefined ? body.slice(i + 1, i + 4) : body.slice(i + 2, i + 2 + hex);
    const ok =
      hex === undefined ? /^[0-7]{3}$/.test(digits) : new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits);
    if (!ok) lexer.fail(offset, `invalid escape \\${e} in quoted string`);
    const code = parseInt(digits, hex === undefined ? 8 : 16);
    out += hex === undefined || hex === 2 ? String.fromCharCode(code) : String.fromCodePoint(code);
    i += hex === undefined ? 3 : 1 + hex;
  }
  return out;
}

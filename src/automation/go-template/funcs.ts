/**
 * Functions available to templates: Go's text/template builtins and the part of Sprig that commit
 * message templates use (strings, lists, regular expressions, paths, integer arithmetic). Functions
 * that read the clock or the environment are left out so that a message depends only on its data.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { compileGoRegexp, ExpandTemplate, type GoRegexp } from "../../common/go-regexp.ts";
import { FuncError } from "./errors.ts";
import {
  compareKeys,
  formatValue,
  goQuote,
  isStringer,
  NO_VALUE,
  sprint,
  sprintf,
  sprintln,
  typeName,
} from "./format.ts";

export type TemplateFunc = (...args: unknown[]) => unknown;

export interface FuncDef {
  readonly fn: TemplateFunc;
  readonly min: number;
  readonly max: number;
}

/** Go's notion of truth: false, 0, nil, and empty strings, slices and maps are false. */
export function isTrue(value: unknown): boolean {
  if (value === null || value === undefined || value === NO_VALUE) return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return value.size > 0;
  return true;
}

const wrongType = (expected: string, value: unknown): FuncError =>
  new FuncError("bad-argument", `wrong type for value; expected ${expected}; got ${typeName(value)}`);

function str(value: unknown): string {
  if (typeof value !== "string") throw wrongType("string", value);
  return value;
}

function int(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType("int", value);
  return value;
}

function list(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw wrongType("[]interface {}", value);
  return value;
}

/** Sprig's strval: strings as they are, Stringers by String(), anything else as `%v`. */
function strval(value: unknown): string {
  if (typeof value === "string") return value;
  if (isStringer(value)) return value.String();
  return formatValue(value);
}

/** Sprig's toInt64: numbers truncated, numeric strings parsed, anything else 0. */
function toInt(value: unknown): number {
  if (typeof value === "number") return Math.trunc(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && /^\s*[+-]?\d+(\.\d*)?\s*$/.test(value)) return Math.trunc(Number(value));
  return 0;
}

const isNil = (v: unknown): boolean => v === null || v === undefined || v === NO_VALUE;

function comparable(a: unknown, b: unknown, fn: string): void {
  const kind = (v: unknown): string => (isNil(v) ? "nil" : typeof v);
  if (kind(a) !== kind(b) && kind(a) !== "nil" && kind(b) !== "nil") {
    throw new FuncError("bad-argument", `error calling ${fn}: incompatible types for comparison`);
  }
}

function eq(first: unknown, ...rest: unknown[]): boolean {
  if (Array.isArray(first) || first instanceof Map) {
    throw new FuncError("bad-argument", "error calling eq: non-comparable type");
  }
  return rest.some((other) => {
    comparable(first, other, "eq");
    return isNil(first) ? isNil(other) : first === other;
  });
}

function order(fn: string, test: (c: number) => boolean): TemplateFunc {
  return (a, b) => {
    const ok =
      (typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string");
    if (!ok) throw new FuncError("bad-argument", `error calling ${fn}: incompatible types for comparison`);
    return test(compareKeys(a, b));
  };
}

function len(value: unknown): number {
  if (typeof value === "string") return Buffer.byteLength(value, "utf8");
  if (Array.isArray(value)) return value.length;
  if (value instanceof Map) return value.size;
  throw new FuncError("bad-argument", `error calling len: len of type ${typeName(value)}`);
}

function zeroOf(map: ReadonlyMap<unknown, unknown>): unknown {
  const [first] = map.values();
  return typeof first === "string" ? "" : typeof first === "number" ? 0 : null;
}

function index(item: unknown, ...keys: unknown[]): unknown {
  let value = item;
  for (const key of keys) {
    if (value instanceof Map) value = value.has(key) ? value.get(key) : zeroOf(value);
    else if (Array.isArray(value) || typeof value === "string") {
      const i = int(key);
      if (i < 0 || i >= value.length)
        throw new FuncError("bad-argument", `error calling index: index out of range: ${i}`);
      value = typeof value === "string" ? value.charCodeAt(i) : value[i];
    } else if (isNil(value)) throw new FuncError("bad-argument", "error calling index: index of untyped nil");
    else
      throw new FuncError("bad-argument", `error calling index: can't index item of type ${typeName(value)}`);
  }
  return value;
}

function slice(item: unknown, ...bounds: unknown[]): unknown {
  if (typeof item !== "string" && !Array.isArray(item)) {
    throw new FuncError("bad-argument", `error calling slice: can't slice item of type ${typeName(item)}`);
  }
  const [start = 0, end = item.length] = bounds.map(int);
  if (start < 0 || end > item.length || start > end) {
    throw new FuncError("bad-argument", `error calling slice: index out of range: ${start}:${end}`);
  }
  return item.slice(start, end);
}

/** Go's `evalArgs` for html/js/urlquery: a lone string as is, otherwise fmt.Sprint. */
const joinArgs = (args: unknown[]): string =>
  args.length === 1 && typeof args[0] === "string" ? args[0] : sprint(args);

function htmlEscape(s: string): string {
  return s.replace(
    /[<>&'"\0]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&#39;", '"': "&#34;" })[c] ?? "\uFFFD",
  );
}

function jsEscape(s: string): string {
  return s.replace(/[\\'"<>&=\x00-\x1f]/g, (c) => {
    if (c === "\\" || c === "'" || c === '"') return `\\${c}`;
    return `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  });
}

function queryEscape(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function call(fn: unknown, ...args: unknown[]): unknown {
  if (typeof fn !== "function")
    throw new FuncError("bad-argument", `error calling call: non-function of type ${typeName(fn)}`);
  return (fn as TemplateFunc)(...args);
}

function empty(value: unknown): boolean {
  if (isNil(value)) return true;
  if (typeof value === "object" && !Array.isArray(value) && !(value instanceof Map)) return false;
  return !isTrue(value);
}

function strslice(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v) => !isNil(v)).map(strval);
  return isNil(value) ? [] : [strval(value)];
}

function title(s: string): string {
  return s.replace(
    /(^|[^\p{L}\p{N}_'])(\p{L})/gu,
    (_m, before: string, letter: string) => before + letter.toUpperCase(),
  );
}

function trunc(n: unknown, s: unknown): string {
  const c = int(n);
  const text = str(s);
  if (c < 0 && text.length + c > 0) return text.slice(text.length + c);
  if (c >= 0 && text.length > c) return text.slice(0, c);
  return text;
}

function substr(start: unknown, end: unknown, s: unknown): string {
  const a = int(start);
  const b = int(end);
  const text = str(s);
  if (a < 0) return text.slice(0, b);
  if (b < 0 || b > text.length) return text.slice(a);
  return text.slice(a, b);
}

/** Longest string a function builds, so that a template cannot exhaust memory. */
const maxString = 1 << 20;

function repeat(n: unknown, s: unknown): string {
  const count = Math.max(0, int(n));
  const text = str(s);
  if (count * text.length > maxString)
    throw new FuncError("function-failed", "error calling repeat: result too long");
  return text.repeat(count);
}

function indent(n: unknown, s: unknown): string {
  const pad = " ".repeat(Math.max(0, int(n)));
  return pad + str(s).replaceAll("\n", `\n${pad}`);
}

function regex(pattern: unknown): GoRegexp {
  try {
    return compileGoRegexp(str(pattern));
  } catch (err) {
    throw new FuncError("function-failed", err instanceof Error ? err.message : String(err));
  }
}

function regexReplaceAll(pattern: unknown, s: unknown, repl: unknown): string {
  const re = regex(pattern);
  let expand: ExpandTemplate;
  try {
    expand = new ExpandTemplate(str(repl), re);
  } catch (err) {
    throw new FuncError("function-failed", err instanceof Error ? err.message : String(err));
  }
  return re.replaceAll(str(s), (match) => expand.expand(match));
}

function regexFindAll(pattern: unknown, s: unknown, n: unknown): string[] {
  const limit = int(n);
  const found: string[] = [];
  for (const match of regex(pattern).matchAll(str(s))) {
    if (limit >= 0 && found.length >= limit) break;
    found.push(match[0]);
  }
  return found;
}

function arith(fn: (a: number, b: number) => number, name: string): TemplateFunc {
  return (...args) => {
    const nums = args.map(toInt);
    return nums.slice(1).reduce((acc, b) => {
      if ((name === "div" || name === "mod") && b === 0) {
        throw new FuncError("function-failed", `error calling ${name}: integer divide by zero`);
      }
      return fn(acc, b);
    }, nums[0] ?? 0);
  };
}

const variadic = Number.POSITIVE_INFINITY;

function def(fn: TemplateFunc, min: number, max: number = min): FuncDef {
  return { fn, min, max };
}

const goBuiltins: Record<string, FuncDef> = {
  and: def((...a) => a.find((v) => !isTrue(v)) ?? a[a.length - 1], 1, variadic),
  or: def((...a) => a.find((v) => isTrue(v)) ?? a[a.length - 1], 1, variadic),
  not: def((v) => !isTrue(v), 1),
  len: def(len, 1),
  index: def(index, 1, variadic),
  slice: def(slice, 1, 3),
  print: def((...a) => sprint(a), 0, variadic),
  printf: def((f, ...a) => sprintf(str(f), a), 1, variadic),
  println: def((...a) => sprintln(a), 0, variadic),
  eq: def(eq, 2, variadic),
  ne: def((a, b) => !eq(a, b), 2),
  lt: def(
    order("lt", (c) => c < 0),
    2,
  ),
  le: def(
    order("le", (c) => c <= 0),
    2,
  ),
  gt: def(
    order("gt", (c) => c > 0),
    2,
  ),
  ge: def(
    order("ge", (c) => c >= 0),
    2,
  ),
  html: def((...a) => htmlEscape(joinArgs(a)), 0, variadic),
  js: def((...a) => jsEscape(joinArgs(a)), 0, variadic),
  urlquery: def((...a) => queryEscape(joinArgs(a)), 0, variadic),
  call: def(call, 1, variadic),
};

const sprigStrings: Record<string, FuncDef> = {
  lower: def((s) => str(s).toLowerCase(), 1),
  upper: def((s) => str(s).toUpperCase(), 1),
  title: def((s) => title(str(s)), 1),
  untitle: def((s) => str(s).replace(/(^|\s)(\S)/g, (_m, b: string, c: string) => b + c.toLowerCase()), 1),
  trim: def((s) => str(s).trim(), 1),
  trimAll: def((cut, s) => trimCutset(str(s), str(cut)), 2),
  trimPrefix: def((p, s) => (str(s).startsWith(str(p)) ? str(s).slice(str(p).length) : str(s)), 2),
  trimSuffix: def(
    (x, s) => (str(x) !== "" && str(s).endsWith(str(x)) ? str(s).slice(0, -str(x).length) : str(s)),
    2,
  ),
  nospace: def((s) => str(s).replace(/\s/g, ""), 1),
  contains: def((sub, s) => str(s).includes(str(sub)), 2),
  hasPrefix: def((p, s) => str(s).startsWith(str(p)), 2),
  hasSuffix: def((x, s) => str(s).endsWith(str(x)), 2),
  replace: def((o, n, s) => str(s).replaceAll(str(o), str(n)), 3),
  repeat: def(repeat, 2),
  trunc: def(trunc, 2),
  substr: def(substr, 3),
  indent: def(indent, 2),
  nindent: def((n, s) => `\n${indent(n, s)}`, 2),
  quote: def(
    (...a) =>
      a
        .filter((v) => !isNil(v))
        .map((v) => goQuote(strval(v)))
        .join(" "),
    0,
    variadic,
  ),
  squote: def(
    (...a) =>
      a
        .filter((v) => !isNil(v))
        .map((v) => `'${strval(v)}'`)
        .join(" "),
    0,
    variadic,
  ),
  cat: def(
    (...a) =>
      a
        .filter((v) => !isNil(v))
        .map(strval)
        .join(" "),
    0,
    variadic,
  ),
  toString: def(strval, 1),
  splitList: def((sep, s) => str(s).split(str(sep)), 2),
  join: def((sep, v) => strslice(v).join(str(sep)), 2),
  sha256sum: def((s) => createHash("sha256").update(str(s)).digest("hex"), 1),
  b64enc: def((s) => Buffer.from(str(s), "utf8").toString("base64"), 1),
  b64dec: def((s) => Buffer.from(str(s), "base64").toString("utf8"), 1),
  regexMatch: def((re, s) => regex(re).test(str(s)), 2),
  regexFind: def((re, s) => regex(re).exec(str(s))?.[0] ?? "", 2),
  regexFindAll: def(regexFindAll, 3),
  regexReplaceAll: def(regexReplaceAll, 3),
  regexReplaceAllLiteral: def((re, s, r) => regex(re).replaceAll(str(s), () => str(r)), 3),
  regexSplit: def((re, s, n) => regex(re).split(str(s), int(n)), 3),
  base: def((p) => path.posix.basename(str(p)) || ".", 1),
  dir: def((p) => path.posix.dirname(str(p)), 1),
  ext: def((p) => path.posix.extname(str(p)), 1),
  clean: def((p) => path.posix.normalize(str(p)).replace(/(.)\/$/, "$1"), 1),
};

function trimCutset(s: string, cutset: string): string {
  const chars = new Set(cutset);
  let a = 0;
  let b = s.length;
  while (a < b && chars.has(s[a]!)) a++;
  while (b > a && chars.has(s[b - 1]!)) b--;
  return s.slice(a, b);
}

const sprigGeneral: Record<string, FuncDef> = {
  default: def((d, ...given) => (given.length === 0 || empty(given[0]) ? d : given[0]), 1, 2),
  empty: def(empty, 1),
  coalesce: def((...a) => a.find((v) => !empty(v)) ?? null, 0, variadic),
  ternary: def((yes, no, cond) => (cond === true ? yes : no), 3),
  list: def((...a) => a, 0, variadic),
  first: def((l) => list(l)[0] ?? null, 1),
  last: def((l) => list(l)[list(l).length - 1] ?? null, 1),
  rest: def((l) => list(l).slice(1), 1),
  initial: def((l) => list(l).slice(0, -1), 1),
  uniq: def((l) => uniq(list(l)), 1),
  sortAlpha: def((l) => strslice(l).sort(compareKeys), 1),
  has: def((needle, l) => list(l).some((v) => v === needle), 2),
  keys: def((...maps) => maps.flatMap((m) => [...mapOf(m).keys()]).sort(compareKeys), 1, variadic),
  int: def(toInt, 1),
  atoi: def((s) => toInt(str(s)), 1),
  add: def(
    arith((a, b) => a + b, "add"),
    0,
    variadic,
  ),
  add1: def((v) => toInt(v) + 1, 1),
  sub: def(
    arith((a, b) => a - b, "sub"),
    2,
  ),
  mul: def(
    arith((a, b) => a * b, "mul"),
    1,
    variadic,
  ),
  div: def(
    arith((a, b) => Math.trunc(a / b), "div"),
    2,
  ),
  mod: def(
    arith((a, b) => a % b, "mod"),
    2,
  ),
  max: def(arith(Math.max, "max"), 1, variadic),
  min: def(arith(Math.min, "min"), 1, variadic),
};

function mapOf(value: unknown): ReadonlyMap<unknown, unknown> {
  if (!(value instanceof Map)) throw wrongType("map[string]interface {}", value);
  return value;
}

function uniq(values: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) if (!out.includes(v)) out.push(v);
  return out;
}

/** Every function a template may call, by name. */
export const templateFunctions: ReadonlyMap<string, FuncDef> = new Map(
  Object.entries({ ...sprigStrings, ...sprigGeneral, ...goBuiltins }),
);

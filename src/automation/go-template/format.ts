/**
 * Go's fmt rules for template values: `%v` printing, Sprint, Sprintln and a Sprintf covering the
 * common verbs. Values map to Go as: string, number (int when integral, else float64), boolean,
 * null (nil), NO_VALUE (a missing map key, printed `<no value>`), arrays (slices), Map (maps), objects
 * with a `String()` method (fmt.Stringer), other objects (structs, printed `{field field}`).
 */
import { compareByteOrder } from "../../common/byte-order.ts";

/** The result of indexing a map with a key it does not have. */
export const NO_VALUE: unique symbol = Symbol("no value");

export function isStringer(value: unknown): value is { String(): string } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { String?: unknown }).String === "function" &&
    !Array.isArray(value)
  );
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined || value === NO_VALUE) return "<nil>";
  switch (typeof value) {
    case "string":
      return "string";
    case "number":
      return Number.isInteger(value) ? "int" : "float64";
    case "boolean":
      return "bool";
    case "function":
      return "func";
  }
  if (Array.isArray(value)) return "[]interface {}";
  if (value instanceof Map) return "map";
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "Object" ? name : "struct";
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "+Inf" : "-Inf";
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) return n.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  return String(n);
}

/** Go's ordering of map keys when ranging or printing. */
export function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return compareByteOrder(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const x = Object.values(a);
    const y = Object.values(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = compareKeys(x[i], y[i]);
      if (c !== 0) return c;
    }
    return x.length - y.length;
  }
  return compareByteOrder(typeName(a), typeName(b));
}

export function sortedEntries<K, V>(map: ReadonlyMap<K, V>): [K, V][] {
  return [...map.entries()].sort(([a], [b]) => compareKeys(a, b));
}

/** `%v`. */
export function formatValue(value: unknown): string {
  if (value === NO_VALUE) return "<no value>";
  if (value === null || value === undefined) return "<nil>";
  switch (typeof value) {
    case "string":
      return value;
    case "number":
      return formatNumber(value);
    case "boolean":
    case "bigint":
      return String(value);
    case "function":
      return "<func>";
    case "symbol":
      return String(value.description);
  }
  if (Array.isArray(value)) return `[${value.map(formatValue).join(" ")}]`;
  if (value instanceof Map) {
    return `map[${sortedEntries(value)
      .map(([k, v]) => `${formatValue(k)}:${formatValue(v)}`)
      .join(" ")}]`;
  }
  if (isStringer(value)) return value.String();
  return `{${Object.values(value).map(formatValue).join(" ")}}`;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = "";
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== "string" && typeof args[i - 1] !== "string") out += " ";
    out += formatValue(arg);
  });
  return out;
}

/** fmt.Sprintln: spaces between all operands, and a newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map(formatValue).join(" ")}\n`;
}

/** Go's strconv.Quote, for printable text. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width: number | undefined;
  precision: number | undefined;
}

/** fmt.Sprintf for verbs v s q d t x X o b c e E f F g G and %%; Go's `%!` notes for mismatches. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = "";
  let argIndex = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    const m = /^%([-+# 0]*)(\d+|\*)?(?:\.(\d+|\*)?)?(.)?/su.exec(format.slice(pct))!;
    i = pct + m[0].length;
    const flags = m[1] ?? "";
    const spec: Spec = {
      minus: flags.includes("-"),
      plus: flags.includes("+"),
      space: flags.includes(" "),
      zero: flags.includes("0"),
      sharp: flags.includes("#"),
      width: undefined,
      precision: undefined,
    };
    const star = (text: string | undefined): number | undefined => {
      if (text === undefined) return undefined;
      if (text !== "*") return Number(text);
      const n = args[argIndex++];
      return typeof n === "number" ? Math.trunc(n) : undefined;
    };
    spec.width = star(m[2]);
    spec.precision = m[0].includes(".") ? (star(m[3]) ?? 0) : undefined;
    const verb = m[4];
    if (verb === undefined) {
      out += "%!(NOVERB)";
      continue;
    }
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (argIndex >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += pad(formatVerb(verb, args[argIndex++], spec), spec, verb);
  }
  if (argIndex < args.length) {
    const extra = args.slice(argIndex).map((a) => `${typeName(a)}=${formatValue(a)}`);
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}

function pad(text: string, spec: Spec, verb: string): string {
  if (spec.width === undefined || text.length >= spec.width) return text;
  const fill = spec.width - [...text].length;
  if (fill <= 0) return text;
  if (spec.minus) return text + " ".repeat(fill);
  if (spec.zero && "dxXobeEfFgG".includes(verb)) {
    const sign = /^[+-]/.test(text) ? text[0]! : "";
    return sign + "0".repeat(fill) + text.slice(sign.length);
  }
  return " ".repeat(fill) + text;
}

function bad(verb: string, value: unknown): string {
  return `%!${verb}(${typeName(value)}=${formatValue(value)})`;
}

function formatVerb(verb: string, value: unknown, spec: Spec): string {
  switch (verb) {
    case "v":
      return typeof value === "number" ? formatNumberVerb("v", value, spec, value) : formatValue(value);
    case "s":
    case "q":
      return formatStringVerb(verb, value, spec);
    case "t":
      return typeof value === "boolean" ? String(value) : bad(verb, value);
    case "c":
      return typeof value === "number" && Number.isInteger(value)
        ? String.fromCodePoint(value)
        : bad(verb, value);
    case "x":
    case "X":
      if (typeof value === "string") {
        const hex = Buffer.from(value, "utf8").toString("hex");
        return verb === "X" ? hex.toUpperCase() : hex;
      }
      return typeof value === "number" ? formatNumberVerb(verb, value, spec, value) : bad(verb, value);
    default:
      return typeof value === "number" ? formatNumberVerb(verb, value, spec, value) : bad(verb, value);
  }
}

function formatStringVerb(verb: "s" | "q", value: unknown, spec: Spec): string {
  let text: string;
  if (typeof value === "string") text = value;
  else if (isStringer(value)) text = value.String();
  else if (Array.isArray(value)) return `[${value.map((v) => formatStringVerb(verb, v, spec)).join(" ")}]`;
  else if (typeof value === "number" && verb === "q" && Number.isInteger(value)) {
    return `'${String.fromCodePoint(value)}'`;
  } else return bad(verb, value);
  if (spec.precision !== undefined) text = [...text].slice(0, spec.precision).join("");
  if (verb === "q") return spec.sharp && !text.includes("`") ? `\`${text}\`` : goQuote(text);
  return text;
}

function formatNumberVerb(verb: string, n: number, spec: Spec, original: unknown): string {
  const sign = n < 0 ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  const abs = Math.abs(n);
  const integral = Number.isInteger(n);
  let body: string;
  switch (verb) {
    case "v":
      return integral ? sign + String(abs) : sign + formatNumber(abs);
    case "d":
      if (!integral) return bad(verb, original);
      body = String(abs);
      break;
    case "b":
    case "o":
    case "x":
    case "X":
      if (!integral) return bad(verb, original);
      body = abs.toString({ b: 2, o: 8, x: 16, X: 16 }[verb]);
      if (verb === "X") body = body.toUpperCase();
      if (spec.sharp) body = { b: "0b", o: "0", x: "0x", X: "0X" }[verb] + body;
      break;
    case "e":
    case "E":
      body = abs.toExponential(spec.precision ?? 6).replace(/e([+-])(\d)$/, "e$10$2");
      if (verb === "E") body = body.toUpperCase();
      break;
    case "f":
    case "F":
      body = abs.toFixed(spec.precision ?? 6);
      break;
    case "g":
    case "G":
      body =
        spec.precision === undefined ? formatNumber(abs) : String(Number(abs.toPrecision(spec.precision)));
      if (verb === "G") body = body.toUpperCase();
      break;
    default:
      return bad(verb, original);
  }
  return sign + body;
}

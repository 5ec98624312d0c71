/**
 * `((var))` interpolation over a parsed YAML/JSON value, with Concourse's rules:
 * - a string that is exactly one reference becomes the var's value, keeping its type (map, list,
 *   number, boolean, null);
 * - a reference inside a longer string must resolve to a string or a number;
 * - mapping keys are interpolated too; a key stays a string, so it follows the inside-a-string rule;
 * - every distinct var is looked up once per pass, and all undefined vars are reported together,
 *   each with the places it is used and where it was looked for; values never appear in errors.
 *
 * The input is not modified; the result is a new tree.
 */
import {
  displayVarRef,
  findVarOccurrences,
  formatVarRef,
  isWholeReference,
  parseVarRef,
  replaceVarOccurrences,
  type VarRef,
} from "./reference.ts";
import { valueKind, type VarSource } from "./source.ts";

export interface InterpolateOptions {
  /** Leave references that no source has as text instead of failing (fly's client-side pass). */
  keepUndefined?: boolean;
}

export interface UndefinedVar {
  /** The var as `((…))`. */
  name: string;
  /** Paths in the document where it is used, such as `resources[0].source.uri`. */
  usedAt: string[];
  lookedIn: string[];
}

export class UndefinedVarsError extends Error {
  readonly vars: UndefinedVar[];
  constructor(vars: UndefinedVar[]) {
    const lines = vars.map(
      (v) =>
        `  ${v.name} used at ${v.usedAt.join(", ")}; looked in: ${v.lookedIn.join(", ") || "no var source"}`,
    );
    super(`undefined vars:\n${lines.join("\n")}`);
    this.name = "UndefinedVarsError";
    this.vars = vars;
  }
}

/** A var embedded in a longer string (or a key) whose value is not a string or number. */
export class VarTypeError extends Error {
  constructor(ref: VarRef, at: string, kind: string) {
    super(
      `cannot interpolate ${displayVarRef(ref)} at ${at}: inside a string a var must be a string or a number, not ${kind}`,
    );
    this.name = "VarTypeError";
  }
}

type StringVisitor = (value: string, at: string, isKey: boolean) => unknown;

function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (!/^[A-Za-z_][\w-]*$/.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent ? `${parent}.${key}` : key;
}

const shownPath = (at: string) => at || "(document root)";

/** Rebuilds `node` with every string (values and keys) replaced by what `visit` returns. */
function mapStrings(node: unknown, at: string, visit: StringVisitor): unknown {
  if (typeof node === "string") return visit(node, at, false);
  if (Array.isArray(node)) return node.map((item, i) => mapStrings(item, childPath(at, i), visit));
  if (typeof node !== "object" || node === null) return node;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const path = childPath(at, key);
    const newKey = visit(key, path, true) as string;
    if (Object.hasOwn(result, newKey))
      throw new Error(`duplicate key "${newKey}" at ${shownPath(path)} after interpolation`);
    result[newKey] = mapStrings(value, path, visit);
  }
  return result;
}

interface VarUse {
  ref: VarRef;
  usedAt: string[];
}

/** Every var the document uses, keyed by the text inside `((…))`, with the paths using it. */
function collectUses(doc: unknown): Map<string, VarUse> {
  const uses = new Map<string, VarUse>();
  mapStrings(doc, "", (value, at) => {
    const where = shownPath(at);
    for (const { text } of findVarOccurrences(value)) {
      const use = uses.get(text) ?? { ref: parseVarRef(text, where), usedAt: [] };
      if (!use.usedAt.includes(where)) use.usedAt.push(where);
      uses.set(text, use);
    }
    return value;
  });
  return uses;
}

/** Looks each distinct var up once; the result maps the text inside `((…))` to its value. */
async function resolveUses(uses: Map<string, VarUse>, source: VarSource, options: InterpolateOptions) {
  const byVar = new Map<string, unknown>();
  const resolved = new Map<string, unknown>();
  const missing = new Map<string, UndefinedVar>();
  for (const [text, { ref, usedAt }] of uses) {
    const key = formatVarRef(ref);
    if (!byVar.has(key)) byVar.set(key, await source.lookup(ref));
    const value = byVar.get(key);
    if (value !== undefined) {
      resolved.set(text, value);
      continue;
    }
    const entry = missing.get(key) ?? {
      name: displayVarRef(ref),
      usedAt: [],
      lookedIn: source.lookedIn(ref),
    };
    entry.usedAt.push(...usedAt.filter((p) => !entry.usedAt.includes(p)));
    missing.set(key, entry);
  }
  if (missing.size > 0 && !options.keepUndefined) throw new UndefinedVarsError([...missing.values()]);
  return resolved;
}

function substitute(doc: unknown, uses: Map<string, VarUse>, resolved: Map<string, unknown>): unknown {
  return mapStrings(doc, "", (value, at, isKey) => {
    if (!isKey && isWholeReference(value)) {
      const whole = resolved.get(value.slice(2, -2));
      return whole === undefined ? value : structuredClone(whole);
    }
    return replaceVarOccurrences(value, (text) => {
      const found = resolved.get(text);
      if (found === undefined) return `((${text}))`;
      if (typeof found === "string") return found;
      if (typeof found === "number" || typeof found === "bigint") return String(found);
      throw new VarTypeError(uses.get(text)!.ref, shownPath(at), valueKind(found));
    });
  });
}

/** Interpolates every `((var))` of `doc` from `source`. */
export async function interpolate(
  doc: unknown,
  source: VarSource,
  options: InterpolateOptions = {},
): Promise<unknown> {
  const uses = collectUses(doc);
  if (uses.size === 0) return structuredClone(doc);
  const resolved = await resolveUses(uses, source, options);
  return substitute(doc, uses, resolved);
}

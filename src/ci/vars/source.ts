/**
 * Where vars come from. A source answers a reference with its value (fields applied) or
 * `undefined` when it does not have the var; it throws only when it has the var but cannot give
 * it (a missing field, an unreadable Secret). Sources are created per build or per interpolation
 * pass: what one remembers (the Kubernetes source keeps the Secrets it read) lives as long as it,
 * so a rotated secret is seen by the next build.
 *
 * Errors name the var and where it was looked for, never a value.
 */
import { displayVarRef, type VarRef } from "./reference.ts";

export interface VarSource {
  lookup(ref: VarRef): Promise<unknown>;
  /** Where this source looks for `ref` (Secret names, flag files), for "undefined var" messages. */
  lookedIn(ref: VarRef): string[];
}

/** A var that exists but whose fields cannot be read. */
export class VarFieldError extends Error {
  constructor(ref: VarRef, problem: string, foundIn: string) {
    super(`var ${displayVarRef(ref)}: ${problem} (the var was found in ${foundIn})`);
    this.name = "VarFieldError";
  }
}

/** A source that holds the var but could not be read (API errors, permissions). */
export class VarLookupError extends Error {
  constructor(ref: VarRef, problem: string, options?: { cause?: unknown }) {
    super(`var ${displayVarRef(ref)}: ${problem}`, options);
    this.name = "VarLookupError";
  }
}

export const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** "a string", "a map", "a list", "null": how messages describe a value without showing it. */
export function valueKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a map" : `a ${typeof value}`;
}

/** Applies `ref.fields` to the value a source found for `ref.path`, as Concourse does. */
export function traverseFields(value: unknown, ref: VarRef, foundIn: string): unknown {
  let current = value;
  for (const [i, field] of ref.fields.entries()) {
    const reached = [ref.path, ...ref.fields.slice(0, i)].join(".");
    if (!isMap(current)) {
      throw new VarFieldError(
        ref,
        `cannot read field "${field}": ${reached} is ${valueKind(current)}`,
        foundIn,
      );
    }
    if (!Object.hasOwn(current, field)) {
      const known = Object.keys(current).join(", ") || "none";
      throw new VarFieldError(ref, `${reached} has no field "${field}" (its fields: ${known})`, foundIn);
    }
    current = current[field];
  }
  return current;
}

/** Asks each source in turn; the first that has the var answers. */
export function chainVarSources(sources: readonly VarSource[]): VarSource {
  return {
    async lookup(ref) {
      for (const source of sources) {
        const value = await source.lookup(ref);
        if (value !== undefined) return value;
      }
      return undefined;
    },
    lookedIn: (ref) => sources.flatMap((s) => s.lookedIn(ref)),
  };
}

/**
 * A pipeline's `var_sources` by name: `((name:path))` goes to the source called `name` (which
 * sees the reference without its source); a name no source has is an error, as in Concourse.
 * References without a source name are left to the next source in the chain.
 */
export function namedVarSources(sources: ReadonlyMap<string, VarSource>): VarSource {
  const named = (ref: VarRef) => {
    const source = sources.get(ref.source);
    if (source) return source;
    const known = [...sources.keys()].join(", ") || "none";
    throw new VarLookupError(ref, `no var source is named "${ref.source}" (var_sources: ${known})`);
  };
  return {
    lookup: async (ref) => (ref.source ? named(ref).lookup({ ...ref, source: "" }) : undefined),
    lookedIn: (ref) => (ref.source ? named(ref).lookedIn({ ...ref, source: "" }) : []),
  };
}

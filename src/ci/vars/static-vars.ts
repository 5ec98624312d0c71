/**
 * Vars held in memory: a map from var name to value, and the `name.field=value` pairs fly's
 * flags produce. Pairs expand into nested maps in order (a later pair for the same place wins;
 * a pair under a non-map value replaces it), as fly's `KVPairs.Expand` does.
 */
import type { VarRef } from "./reference.ts";
import { isMap, traverseFields, type VarSource } from "./source.ts";

export type StaticVars = Record<string, unknown>;

export interface VarPair {
  ref: VarRef;
  value: unknown;
}

function nest(fields: readonly string[], value: unknown): unknown {
  return fields.reduceRight<unknown>((inner, field) => ({ [field]: inner }), value);
}

function upsert(into: StaticVars, key: string, fields: readonly string[], value: unknown): void {
  const node = into[key];
  if (!isMap(node)) into[key] = nest(fields, value);
  else if (fields.length === 0) into[key] = value;
  else upsert(node, fields[0]!, fields.slice(1), value);
}

export function expandPairs(pairs: readonly VarPair[]): StaticVars {
  const vars: StaticVars = {};
  for (const { ref, value } of pairs) upsert(vars, ref.path, ref.fields, structuredClone(value));
  return vars;
}

/** The leaves of `vars` as pairs (maps are descended into; empty maps have no leaves). */
export function flattenVars(vars: StaticVars): VarPair[] {
  const leaves = (path: string, fields: string[], value: unknown): VarPair[] =>
    isMap(value)
      ? Object.entries(value).flatMap(([k, v]) => leaves(path, [...fields, k], v))
      : [{ ref: { source: "", path, fields }, value }];
  return Object.entries(vars).flatMap(([name, value]) => leaves(name, [], value));
}

/** A source over `vars`; `origin` says where they came from in messages ("vars file ci.yml"). */
export function staticVarSource(vars: StaticVars, origin: string): VarSource {
  const find = (ref: VarRef) =>
    ref.source || !Object.hasOwn(vars, ref.path) ? undefined : traverseFields(vars[ref.path], ref, origin);
  return {
    lookup: (ref) => Promise.resolve(ref).then(find),
    lookedIn: (ref) => (ref.source ? [] : [origin]),
  };
}

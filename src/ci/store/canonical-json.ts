/**
 * JSON with object keys sorted at every depth, so equal values have equal text: versions and
 * instance vars are compared and indexed by it, and resource configs are hashed from it.
 */
import { createHash } from "node:crypto";

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The scope of a resource's versions, as Concourse's resource configs: resources (in any pipeline)
 * with the same type and source share their versions. For a custom type, pass `type` as the
 * type's own config hash so that two custom types of one name but different images do not mix.
 */
export function resourceConfigHash(type: string, source: Record<string, unknown> | undefined): string {
  return sha256Hex(canonicalJson({ type, source: source ?? {} }));
}

/** JSON merge patches (RFC 7386) computed from two documents. */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The merge patch that turns `before` into `after`, or undefined when they are equal. Removed keys
 * become null; arrays are replaced whole (merge patches cannot address array items).
 */
export function mergePatch(before: unknown, after: unknown): Json | undefined {
  if (deepEqual(before, after)) return undefined;
  if (!isObject(before) || !isObject(after)) return (after === undefined ? null : after) as Json;
  const patch: Record<string, Json> = {};
  for (const key of Object.keys(before)) {
    if (before[key] !== undefined && after[key] === undefined) patch[key] = null;
  }
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    const sub = mergePatch(before[key], value);
    if (sub !== undefined) patch[key] = sub;
  }
  return patch;
}

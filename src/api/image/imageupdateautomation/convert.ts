/** Conversion of any served ImageUpdateAutomation version to v1, the version the controller works in. */
import type { z } from "zod";
import { describeObject, parseOrThrow } from "../../errors.ts";
import type { ServedImageUpdateAutomation } from "./served.ts";
import * as v1 from "./v1.ts";

export interface Converted {
  object: v1.ImageUpdateAutomation;
  /** Paths of deprecated fields the object carried; always empty, since v1 dropped no field. */
  deprecated: string[];
}

/**
 * What objects of every served version have in common: anything the served schema accepts, before
 * or after its defaults. Every version's own type is assignable to it.
 */
export type Convertible = z.input<typeof ServedImageUpdateAutomation>;

/**
 * The v1 form of `obj`: the same fields under v1's apiVersion, with v1's defaults (sourceRef.kind,
 * update) applied. Throws InvalidObjectError when the result is not a valid v1 object.
 */
export function convertToV1(obj: Convertible): Converted {
  const candidate = { ...obj, apiVersion: v1.API_VERSION };
  const object = parseOrThrow(v1.ImageUpdateAutomation, candidate, describeObject(obj, obj.kind));
  return { object, deprecated: [] };
}

/** Conversion of any served Provider version to v1beta3, the version the controller works in. */
import type { z } from "zod";
import { describeObject, parseOrThrow } from "../../errors.ts";
import type { ServedProvider } from "./served.ts";
import * as v1beta3 from "./v1beta3.ts";

export interface Converted {
  object: v1beta3.Provider;
  /**
   * Paths of deprecated fields the object carried (`spec.interval`, `spec.proxy`, `status.*`);
   * report them once. A reported status is stale, written by an older controller.
   */
  deprecated: string[];
}

/** Anything the served schema accepts. */
export type Convertible = z.input<typeof ServedProvider>;

/**
 * The v1beta3 form of `obj`: the same spec under v1beta3's apiVersion, without a status. `interval`
 * (unused since v1beta3) is dropped and reported; `proxy` is kept, since the controller still honours
 * it when there is no proxySecretRef, and reported. Throws InvalidObjectError when the result is not
 * a valid v1beta3 object.
 */
export function convertToV1beta3(obj: Convertible): Converted {
  const { interval, ...spec } = obj.spec;
  const deprecated: string[] = [];
  if (interval !== undefined) deprecated.push("spec.interval");
  if (spec.proxy !== undefined) deprecated.push("spec.proxy");
  for (const field of Object.keys(obj.status ?? {})) deprecated.push(`status.${field}`);
  const candidate = { apiVersion: v1beta3.API_VERSION, kind: obj.kind, metadata: obj.metadata, spec };
  const object = parseOrThrow(v1beta3.Provider, candidate, describeObject(obj, obj.kind));
  return { object, deprecated };
}

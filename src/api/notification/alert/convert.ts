/** Conversion of any served Alert version to v1beta3, the version the controller works in. */
import type { z } from "zod";
import { describeObject, parseOrThrow } from "../../errors.ts";
import type { ServedAlert } from "./served.ts";
import * as v1beta3 from "./v1beta3.ts";

export interface Converted {
  object: v1beta3.Alert;
  /**
   * Paths of deprecated fields the object carried (`spec.summary`, `status.*`); report them once. A
   * reported status is stale, written by an older controller.
   */
  deprecated: string[];
}

/** Anything the served schema accepts, before or after its defaults. */
export type Convertible = z.input<typeof ServedAlert>;

/**
 * The v1beta3 form of `obj`, with v1beta3's defaults and without a status. `spec.summary` becomes
 * `eventMetadata.summary` unless eventMetadata has one already, as Flux sends it, and is reported.
 * Throws InvalidObjectError when the result is not a valid v1beta3 object.
 */
export function convertToV1beta3(obj: Convertible): Converted {
  const { summary, ...spec } = obj.spec;
  const deprecated: string[] = [];
  if (summary !== undefined) {
    deprecated.push("spec.summary");
    if (summary !== "") spec.eventMetadata = { summary, ...spec.eventMetadata };
  }
  for (const field of Object.keys(obj.status ?? {})) deprecated.push(`status.${field}`);
  const candidate = { apiVersion: v1beta3.API_VERSION, kind: obj.kind, metadata: obj.metadata, spec };
  const object = parseOrThrow(v1beta3.Alert, candidate, describeObject(obj, obj.kind));
  return { object, deprecated };
}

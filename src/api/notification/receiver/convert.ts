/** Conversion of any served Receiver version to v1, the version the controller works in. */
import type { z } from "zod";
import { describeObject, parseOrThrow } from "../../errors.ts";
import type { ServedReceiver } from "./served.ts";
import * as v1 from "./v1.ts";

export interface Converted {
  object: v1.Receiver;
  /** Paths of deprecated fields the object carried, e.g. `status.url`; report them once. */
  deprecated: string[];
}

/** Anything the served schema accepts, before or after its defaults. */
export type Convertible = z.input<typeof ServedReceiver>;

/**
 * The v1 form of `obj`, with v1's defaults. `status.url` is dropped: it becomes `webhookPath` when
 * that is missing, as in a status an older controller wrote, and is reported unless it equals
 * `webhookPath`. Throws InvalidObjectError when the result is not a valid v1 object.
 */
export function convertToV1(obj: Convertible): Converted {
  const deprecated: string[] = [];
  let status = obj.status;
  if (status?.url !== undefined) {
    const { url, ...rest } = status;
    if (rest.webhookPath !== url) deprecated.push("status.url");
    status = { ...rest, webhookPath: rest.webhookPath ?? url };
  }
  const candidate = { ...obj, apiVersion: v1.API_VERSION, status };
  const object = parseOrThrow(v1.Receiver, candidate, describeObject(obj, obj.kind));
  return { object, deprecated };
}

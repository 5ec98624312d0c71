import { describeObject, parseOrThrow } from "../../errors.ts";
import { KIND } from "./common.ts";
import { convertToV1, type Converted } from "./convert.ts";
import { ServedReceiver } from "./served.ts";

/**
 * Parses a Receiver of any served version into the v1 shape with defaults applied, and lists the
 * deprecated fields it carried. Throws InvalidObjectError naming every problem. Every version is
 * parsed with the served schema (conversion None lets a v1beta1 object carry v1 fields).
 */
export function parseReceiver(obj: unknown): Converted {
  const served = parseOrThrow(ServedReceiver, obj, describeObject(obj, KIND));
  return convertToV1(served);
}

import { describeObject, parseOrThrow } from "../../errors.ts";
import { KIND } from "./common.ts";
import { convertToV1beta3, type Converted } from "./convert.ts";
import { ServedAlert } from "./served.ts";

/**
 * Parses a Alert of any served version into the v1beta3 shape, and lists the deprecated fields
 * it carried. Throws InvalidObjectError naming every problem. Every version is parsed with the
 * served schema (conversion None lets a v1beta1 object carry v1beta3 fields).
 */
export function parseAlert(obj: unknown): Converted {
  const served = parseOrThrow(ServedAlert, obj, describeObject(obj, KIND));
  return convertToV1beta3(served);
}

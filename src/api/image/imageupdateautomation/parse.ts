import { describeObject, parseOrThrow } from "../../errors.ts";
import { KIND } from "./common.ts";
import { convertToV1, type Converted } from "./convert.ts";
import { ServedImageUpdateAutomation } from "./served.ts";

/**
 * Parses an ImageUpdateAutomation of any served version into the v1 shape with defaults applied,
 * and lists the deprecated fields it carried (none exist for this kind). Throws InvalidObjectError
 * naming every problem.
 *
 * Every version is parsed with the served schema, not with its own: the API server accepts every
 * field under every version (conversion None), so a v1beta1 object may legitimately carry v1 fields.
 */
export function parseImageUpdateAutomation(obj: unknown): Converted {
  const served = parseOrThrow(ServedImageUpdateAutomation, obj, describeObject(obj, KIND));
  return convertToV1(served);
}

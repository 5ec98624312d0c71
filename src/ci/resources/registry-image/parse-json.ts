/** Image documents (manifests, indexes, configs) read as JSON and checked against their schema. */
import { z } from "zod";
import { ResourceError, type ResourceErrorReason } from "../resource.ts";

/** Parses JSON against `schema`; anything else is an error (Failed unless told) saying `what` is unsupported. */
export function parseJson<T>(
  schema: z.ZodType<T>,
  bytes: Buffer,
  what: string,
  reason: ResourceErrorReason = "Failed",
): T {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new ResourceError(reason, `${what} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    throw new ResourceError(reason, `${what} is not supported: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * The one schema the API server serves for every Receiver version: v1 plus status.url, which older
 * versions had, marked deprecated (docs/adr/0003-api-versions-and-conversion.md).
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { KIND, SERVED_API_VERSIONS, Url } from "./common.ts";
import { ReceiverSpec, statusShape } from "./v1.ts";

// v1 dropped no spec field: older specs are subsets of v1's.
export const ServedReceiverSpec = ReceiverSpec;
export type ServedReceiverSpec = z.infer<typeof ServedReceiverSpec>;

export const ServedReceiverStatus = z
  .object({
    ...statusShape,
    url: Url.meta({ deprecated: true })
      .exactOptional()
      .describe("The path the webhook is served at, superseded by webhookPath."),
  })
  .default(() => ({ observedGeneration: -1 }))
  .describe("Observed state of the Receiver.");
export type ServedReceiverStatus = z.infer<typeof ServedReceiverStatus>;

export const ServedReceiver = kindObject(z.enum(SERVED_API_VERSIONS), KIND, {
  spec: ServedReceiverSpec,
  status: ServedReceiverStatus,
});
export type ServedReceiver = z.infer<typeof ServedReceiver>;

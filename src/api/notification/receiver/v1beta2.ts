/**
 * Receiver notification.toolkit.fluxcd.io/v1beta2 as Flux published it over its releases
 * (deprecated in favour of v1): v1 without resourceFilter, with fewer receiver types, fewer kinds
 * to refer to and no default interval; status.url beside webhookPath, which later releases added
 * with spec.interval.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { CrossNamespaceObjectReferenceV1beta2 } from "../common.ts";
import { API_VERSION_V1BETA2, Interval, KIND, ReceiverTypeV1beta2 } from "./common.ts";
import { ServedReceiverStatus } from "./served.ts";
import * as v1 from "./v1.ts";

export const API_VERSION = API_VERSION_V1BETA2;

export const ReceiverSpec = v1.ReceiverSpec.omit({ resourceFilter: true }).extend({
  type: ReceiverTypeV1beta2,
  interval: Interval.exactOptional(),
  resources: z.array(CrossNamespaceObjectReferenceV1beta2),
});

export const ReceiverStatus = ServedReceiverStatus;

export const Receiver = kindObject(z.literal(API_VERSION), KIND, {
  spec: ReceiverSpec,
  status: ReceiverStatus,
});
export type Receiver = z.infer<typeof Receiver>;

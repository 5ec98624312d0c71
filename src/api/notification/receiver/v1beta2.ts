/**
 * Receiver notification.toolkit.fluxcd.io/v1beta2 as Flux published it over its releases
 * (deprecated in favour of v1): later releases added spec.interval and status.webhookPath, which
 * replaced status.url.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { CrossNamespaceObjectReferenceV1beta2, legacyStatusShape } from "../common.ts";
import {
  API_VERSION_V1BETA2,
  Events,
  Interval,
  KIND,
  ReceiverTypeV1beta2,
  SecretRef,
  Suspend,
  Url,
  WebhookPath,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1BETA2;

export const ReceiverSpec = z.object({
  type: ReceiverTypeV1beta2,
  interval: Interval.exactOptional(),
  events: Events.exactOptional(),
  resources: z.array(CrossNamespaceObjectReferenceV1beta2),
  secretRef: SecretRef,
  suspend: Suspend.exactOptional(),
});
export type ReceiverSpec = z.infer<typeof ReceiverSpec>;

export const ReceiverStatus = z
  .object({ ...legacyStatusShape, url: Url.exactOptional(), webhookPath: WebhookPath.exactOptional() })
  .default(() => ({ observedGeneration: -1 }));
export type ReceiverStatus = z.infer<typeof ReceiverStatus>;

export const Receiver = kindObject(z.literal(API_VERSION), KIND, {
  spec: ReceiverSpec,
  status: ReceiverStatus,
});
export type Receiver = z.infer<typeof Receiver>;

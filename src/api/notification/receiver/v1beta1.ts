/** Receiver notification.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated). */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { CrossNamespaceObjectReferenceV1beta2, legacyStatusShape } from "../common.ts";
import { API_VERSION_V1BETA1, Events, KIND, ReceiverTypeV1beta2, SecretRef, Suspend, Url } from "./common.ts";

export const API_VERSION = API_VERSION_V1BETA1;

export const ReceiverSpec = z.object({
  type: ReceiverTypeV1beta2,
  events: Events.exactOptional(),
  resources: z.array(CrossNamespaceObjectReferenceV1beta2),
  secretRef: SecretRef,
  suspend: Suspend.exactOptional(),
});
export type ReceiverSpec = z.infer<typeof ReceiverSpec>;

export const ReceiverStatus = z
  .object({ ...legacyStatusShape, url: Url.exactOptional() })
  .default(() => ({ observedGeneration: -1 }));
export type ReceiverStatus = z.infer<typeof ReceiverStatus>;

export const Receiver = kindObject(z.literal(API_VERSION), KIND, {
  spec: ReceiverSpec,
  status: ReceiverStatus,
});
export type Receiver = z.infer<typeof Receiver>;

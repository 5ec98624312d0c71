/** Receiver notification.toolkit.fluxcd.io/v1: the version Sluice's controllers work in. */
import { z } from "zod";
import { Condition, int64, kindObject, ReconcileRequestStatus } from "../../meta.ts";
import { CrossNamespaceObjectReference } from "../common.ts";
import {
  API_VERSION_V1,
  Events,
  Interval,
  KIND,
  ReceiverType,
  SecretRef,
  Suspend,
  WebhookPath,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1;

export const ReceiverSpec = z
  .object({
    type: ReceiverType,
    interval: Interval.default("10m"),
    events: Events.exactOptional(),
    resources: z
      .array(CrossNamespaceObjectReference)
      .describe("The objects asked to reconcile when a request is accepted."),
    resourceFilter: z
      .string()
      .exactOptional()
      .describe(
        "A CEL expression returning a boolean, evaluated for each resource with the request; false skips the resource.",
      ),
    secretRef: SecretRef,
    suspend: Suspend.exactOptional(),
  })
  .describe("A webhook that asks the listed objects to reconcile when an accepted request arrives.");
export type ReceiverSpec = z.infer<typeof ReceiverSpec>;

export const statusShape = {
  observedGeneration: int64().exactOptional().describe("The last generation the controller acted on."),
  conditions: z.array(Condition).exactOptional().describe("Conditions of the Receiver."),
  webhookPath: WebhookPath.exactOptional(),
  ...ReconcileRequestStatus.shape,
};

export const ReceiverStatus = z
  .object(statusShape)
  .default(() => ({ observedGeneration: -1 }))
  .describe("Observed state of the Receiver.");
export type ReceiverStatus = z.infer<typeof ReceiverStatus>;

export const Receiver = kindObject(z.literal(API_VERSION), KIND, {
  spec: ReceiverSpec,
  status: ReceiverStatus,
});
export type Receiver = z.infer<typeof Receiver>;

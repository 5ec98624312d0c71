/**
 * Receiver notification.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated): v1beta2
 * without interval and webhookPath.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA1, KIND } from "./common.ts";
import * as v1beta2 from "./v1beta2.ts";

export const API_VERSION = API_VERSION_V1BETA1;

export const ReceiverSpec = v1beta2.ReceiverSpec.omit({ interval: true });

export const ReceiverStatus = v1beta2.ReceiverStatus.unwrap()
  .omit({ webhookPath: true })
  .default(() => ({ observedGeneration: -1 }));

export const Receiver = kindObject(z.literal(API_VERSION), KIND, {
  spec: ReceiverSpec,
  status: ReceiverStatus,
});
export type Receiver = z.infer<typeof Receiver>;

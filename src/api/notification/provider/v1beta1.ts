/**
 * Provider notification.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated), with a
 * status: the same fields as v1beta2.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA1, KIND } from "./common.ts";
import * as v1beta2 from "./v1beta2.ts";

export const API_VERSION = API_VERSION_V1BETA1;

export const ProviderSpec = v1beta2.ProviderSpec;

export const ProviderStatus = v1beta2.ProviderStatus;

export const Provider = kindObject(z.literal(API_VERSION), KIND, {
  spec: ProviderSpec,
  status: ProviderStatus,
});
export type Provider = z.infer<typeof Provider>;

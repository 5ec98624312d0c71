/** Provider notification.toolkit.fluxcd.io/v1beta2 as Flux last published it (deprecated), with a status. */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { LegacyStatus } from "../common.ts";
import { API_VERSION_V1BETA2, KIND, legacySpecShape } from "./common.ts";

export const API_VERSION = API_VERSION_V1BETA2;

export const ProviderSpec = z.object(legacySpecShape);

export const ProviderStatus = LegacyStatus;

export const Provider = kindObject(z.literal(API_VERSION), KIND, {
  spec: ProviderSpec,
  status: ProviderStatus,
});
export type Provider = z.infer<typeof Provider>;

/**
 * Alert notification.toolkit.fluxcd.io/v1beta2 as Flux published it over its releases (deprecated),
 * with a status: v1beta3 without eventMetadata, referring to fewer kinds (later releases added
 * inclusionList).
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { CrossNamespaceObjectReferenceV1beta2, LegacyStatus } from "../common.ts";
import { API_VERSION_V1BETA2, KIND } from "./common.ts";
import * as v1beta3 from "./v1beta3.ts";

export const API_VERSION = API_VERSION_V1BETA2;

export const AlertSpec = v1beta3.AlertSpec.omit({ eventMetadata: true }).extend({
  eventSources: z.array(CrossNamespaceObjectReferenceV1beta2),
});

export const AlertStatus = LegacyStatus;

export const Alert = kindObject(z.literal(API_VERSION), KIND, {
  spec: AlertSpec,
  status: AlertStatus,
});
export type Alert = z.infer<typeof Alert>;

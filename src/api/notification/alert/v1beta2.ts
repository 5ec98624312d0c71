/**
 * Alert notification.toolkit.fluxcd.io/v1beta2 as Flux published it over its releases (deprecated),
 * with a status; later releases added inclusionList.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { CrossNamespaceObjectReferenceV1beta2, legacyStatusShape } from "../common.ts";
import {
  API_VERSION_V1BETA2,
  EventSeverity,
  ExclusionList,
  InclusionList,
  KIND,
  ProviderRef,
  Summary,
  Suspend,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1BETA2;

export const AlertSpec = z.object({
  providerRef: ProviderRef,
  eventSeverity: EventSeverity,
  eventSources: z.array(CrossNamespaceObjectReferenceV1beta2),
  inclusionList: InclusionList.exactOptional(),
  exclusionList: ExclusionList.exactOptional(),
  summary: Summary.exactOptional(),
  suspend: Suspend.exactOptional(),
});
export type AlertSpec = z.infer<typeof AlertSpec>;

export const AlertStatus = z.object(legacyStatusShape).default(() => ({ observedGeneration: -1 }));
export type AlertStatus = z.infer<typeof AlertStatus>;

export const Alert = kindObject(z.literal(API_VERSION), KIND, {
  spec: AlertSpec,
  status: AlertStatus,
});
export type Alert = z.infer<typeof Alert>;

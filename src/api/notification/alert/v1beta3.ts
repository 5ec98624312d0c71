/**
 * Alert notification.toolkit.fluxcd.io/v1beta3: the version Sluice's controllers work in. A static
 * object: Flux's v1beta3 has no status, and nothing reconciles an Alert.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { CrossNamespaceObjectReference } from "../common.ts";
import {
  API_VERSION_V1BETA3,
  EventMetadata,
  EventSeverity,
  ExclusionList,
  InclusionList,
  KIND,
  ProviderRef,
  Summary,
  Suspend,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1BETA3;

export const AlertSpec = z
  .object({
    providerRef: ProviderRef,
    eventSeverity: EventSeverity,
    eventSources: z
      .array(CrossNamespaceObjectReference)
      .describe("The objects whose events are sent, by kind, name or '*' with labels, and namespace."),
    inclusionList: InclusionList.exactOptional(),
    eventMetadata: EventMetadata.exactOptional(),
    exclusionList: ExclusionList.exactOptional(),
    summary: Summary.meta({ deprecated: true })
      .exactOptional()
      .describe("Deprecated: a short description of the impact and affected cluster; use eventMetadata."),
    suspend: Suspend.exactOptional(),
  })
  .describe("Which events are sent, and through which Provider.");
export type AlertSpec = z.infer<typeof AlertSpec>;

export const Alert = kindObject(z.literal(API_VERSION), KIND, {
  spec: AlertSpec,
});
export type Alert = z.infer<typeof Alert>;

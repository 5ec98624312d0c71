/** Parts of the Alert API that several versions share. */
import { z } from "zod";
import { LocalObjectReference } from "../../meta.ts";
import { API_VERSION_V1BETA1, API_VERSION_V1BETA2, API_VERSION_V1BETA3 } from "../common.ts";

export { API_VERSION_V1BETA1, API_VERSION_V1BETA2, API_VERSION_V1BETA3, GROUP } from "../common.ts";

export const KIND = "Alert";
export const SERVED_API_VERSIONS = [API_VERSION_V1BETA3, API_VERSION_V1BETA2, API_VERSION_V1BETA1] as const;
export type ServedApiVersion = (typeof SERVED_API_VERSIONS)[number];

export const ProviderRef = LocalObjectReference.describe("The Provider the Alert sends events through.");

export const EventSeverity = z
  .enum(["info", "error"])
  .default("info")
  .describe("The lowest severity sent: 'info' sends every event, 'error' only errors.");
export type EventSeverity = z.infer<typeof EventSeverity>;

export const InclusionList = z
  .array(z.string())
  .describe("Go regular expressions; when set, only events whose message matches one are sent.");
export const ExclusionList = z
  .array(z.string())
  .describe("Go regular expressions; events whose message matches one are not sent.");
export const Summary = z
  .string()
  .max(255)
  .describe("A short description of the impact and affected cluster.");
export const EventMetadata = z
  .record(z.string(), z.string())
  .describe("Metadata added to every event sent; a key the event already has keeps the event's value.");
export const Suspend = z.boolean().describe("Stops sending events for this Alert while true.");

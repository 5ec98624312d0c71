/**
 * The one schema the API server serves for every ImageUpdateAutomation version. v1 kept every field
 * the older versions had, so the union is v1 itself (docs/adr/0003-api-versions-and-conversion.md).
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { KIND, SERVED_API_VERSIONS } from "./common.ts";
import { ImageUpdateAutomationSpec, ImageUpdateAutomationStatus } from "./v1.ts";

export const ServedImageUpdateAutomationSpec = ImageUpdateAutomationSpec;
export type ServedImageUpdateAutomationSpec = z.infer<typeof ServedImageUpdateAutomationSpec>;

export const ServedImageUpdateAutomationStatus = ImageUpdateAutomationStatus;
export type ServedImageUpdateAutomationStatus = z.infer<typeof ServedImageUpdateAutomationStatus>;

export const ServedImageUpdateAutomation = kindObject(z.enum(SERVED_API_VERSIONS), KIND, {
  spec: ServedImageUpdateAutomationSpec,
  status: ServedImageUpdateAutomationStatus,
});
export type ServedImageUpdateAutomation = z.infer<typeof ServedImageUpdateAutomation>;

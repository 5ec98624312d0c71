/**
 * The one schema the API server serves for every Alert version: v1beta3's spec, plus the status
 * v1beta1 and v1beta2 had, marked deprecated and without a default, so that a static v1beta3
 * object carries no status (docs/adr/0003-api-versions-and-conversion.md).
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { deprecatedStatus } from "../common.ts";
import { KIND, SERVED_API_VERSIONS } from "./common.ts";
import { AlertSpec } from "./v1beta3.ts";

// v1beta3 dropped no spec field: older specs are subsets of v1beta3's.
export const ServedAlertSpec = AlertSpec;
export type ServedAlertSpec = z.infer<typeof ServedAlertSpec>;

export const ServedAlertStatus = deprecatedStatus(KIND);
export type ServedAlertStatus = z.infer<typeof ServedAlertStatus>;

export const ServedAlert = kindObject(z.enum(SERVED_API_VERSIONS), KIND, {
  spec: ServedAlertSpec,
  status: ServedAlertStatus.exactOptional(),
});
export type ServedAlert = z.infer<typeof ServedAlert>;

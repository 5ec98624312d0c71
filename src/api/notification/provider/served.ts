/**
 * The one schema the API server serves for every Provider version: v1beta3's spec, plus the status
 * v1beta1 and v1beta2 had, marked deprecated and without a default, so that a static v1beta3
 * object carries no status (docs/adr/0003-api-versions-and-conversion.md).
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { deprecatedStatus } from "../common.ts";
import { KIND, SERVED_API_VERSIONS } from "./common.ts";
import { ProviderSpec } from "./v1beta3.ts";

// v1beta3 dropped no spec field: older specs are subsets of v1beta3's.
export const ServedProviderSpec = ProviderSpec;
export type ServedProviderSpec = z.infer<typeof ServedProviderSpec>;

export const ServedProviderStatus = deprecatedStatus(KIND);
export type ServedProviderStatus = z.infer<typeof ServedProviderStatus>;

export const ServedProvider = kindObject(z.enum(SERVED_API_VERSIONS), KIND, {
  spec: ServedProviderSpec,
  status: ServedProviderStatus.exactOptional(),
});
export type ServedProvider = z.infer<typeof ServedProvider>;

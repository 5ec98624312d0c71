/**
 * The one schema the API server serves for every ImagePolicy version: v1 plus the status fields
 * older versions had, marked deprecated. Identical schemas let the CRD use `conversion: None`
 * without losing a field between versions (docs/adr/0003-api-versions-and-conversion.md).
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { KIND, LatestImage, ObservedPreviousImage, SERVED_API_VERSIONS } from "./common.ts";
import { ImagePolicySpec, statusShape } from "./v1.ts";

// v1 dropped no spec field: older specs are subsets of v1's.
export const ServedImagePolicySpec = ImagePolicySpec;
export type ServedImagePolicySpec = z.infer<typeof ServedImagePolicySpec>;

export const ServedImagePolicyStatus = z
  .object({
    ...statusShape,
    latestImage: LatestImage.meta({ deprecated: true })
      .exactOptional()
      .describe(
        "The chosen image as '<name>:<tag>', superseded by latestRef; Sluice keeps it equal to latestRef for tools that read older versions.",
      ),
    observedPreviousImage: ObservedPreviousImage.meta({ deprecated: true })
      .exactOptional()
      .describe(
        "The previously chosen image as '<name>:<tag>', superseded by observedPreviousRef; Sluice keeps it equal to observedPreviousRef.",
      ),
  })
  .default(() => ({ observedGeneration: -1 }))
  .describe("Observed state of the ImagePolicy.");
export type ServedImagePolicyStatus = z.infer<typeof ServedImagePolicyStatus>;

export const ServedImagePolicy = kindObject(z.enum(SERVED_API_VERSIONS), KIND, {
  spec: ServedImagePolicySpec,
  status: ServedImagePolicyStatus,
});
export type ServedImagePolicy = z.infer<typeof ServedImagePolicy>;

/**
 * ImageRepository image.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated): v1 without
 * proxySecretRef, provider, insecure, observedExclusionList and lastScanResult's revision and
 * latestTags. The last v1beta1 CRD had v1's duration patterns; exclusionList had neither a default
 * nor a limit.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA1, KIND } from "./common.ts";
import * as v1 from "./v1.ts";

export const API_VERSION = API_VERSION_V1BETA1;

export const ImageRepositorySpec = v1.ImageRepositorySpec.omit({
  proxySecretRef: true,
  provider: true,
  insecure: true,
}).extend({ exclusionList: z.array(z.string()).exactOptional() });

export const ImageRepositoryStatus = v1.ImageRepositoryStatus.unwrap()
  .omit({ observedExclusionList: true })
  .extend({ lastScanResult: v1.ScanResult.omit({ revision: true, latestTags: true }).exactOptional() })
  .default(() => ({ observedGeneration: -1 }));

export const ImageRepository = kindObject(z.literal(API_VERSION), KIND, {
  spec: ImageRepositorySpec,
  status: ImageRepositoryStatus,
});
export type ImageRepository = z.infer<typeof ImageRepository>;

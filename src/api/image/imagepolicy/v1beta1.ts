/**
 * ImagePolicy image.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated): the policy
 * choice, the ImageRepository and the tag filter of v1beta2, and status.latestImage.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA1, KIND } from "./common.ts";
import { specShape } from "./v1.ts";
import * as v1beta2 from "./v1beta2.ts";

export const API_VERSION = API_VERSION_V1BETA1;

export const ImagePolicySpec = z
  .object(specShape)
  .pick({ imageRepositoryRef: true, filterTags: true })
  .extend({ policy: v1beta2.ImagePolicyChoice });

export const ImagePolicyStatus = v1beta2.ImagePolicyStatus.unwrap()
  .pick({ latestImage: true, observedGeneration: true, conditions: true })
  .default(() => ({ observedGeneration: -1 }));

export const ImagePolicy = kindObject(z.literal(API_VERSION), KIND, {
  spec: ImagePolicySpec,
  status: ImagePolicyStatus,
});
export type ImagePolicy = z.infer<typeof ImagePolicy>;

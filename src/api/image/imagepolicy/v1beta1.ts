/** ImagePolicy image.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated). */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import {
  API_VERSION_V1BETA1,
  ImageRepositoryRef,
  KIND,
  LatestImage,
  TagFilter,
  policyChoiceDescription,
  policyChoiceFields,
  statusBaseShape,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1BETA1;

export const ImagePolicyChoice = z.object(policyChoiceFields).describe(policyChoiceDescription);
export type ImagePolicyChoice = z.infer<typeof ImagePolicyChoice>;

export const ImagePolicySpec = z.object({
  imageRepositoryRef: ImageRepositoryRef,
  policy: ImagePolicyChoice,
  filterTags: TagFilter.exactOptional(),
});
export type ImagePolicySpec = z.infer<typeof ImagePolicySpec>;

export const ImagePolicyStatus = z
  .object({ latestImage: LatestImage.exactOptional(), ...statusBaseShape })
  .default(() => ({ observedGeneration: -1 }));
export type ImagePolicyStatus = z.infer<typeof ImagePolicyStatus>;

export const ImagePolicy = kindObject(z.literal(API_VERSION), KIND, {
  spec: ImagePolicySpec,
  status: ImagePolicyStatus,
});
export type ImagePolicy = z.infer<typeof ImagePolicy>;

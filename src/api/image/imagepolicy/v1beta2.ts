/**
 * ImagePolicy image.toolkit.fluxcd.io/v1beta2 as Flux published it over its releases (deprecated in
 * favour of v1): Flux 2.0 to 2.4 reported the choice as status.latestImage and observedPreviousImage;
 * 2.5 added digestReflectionPolicy, interval, latestRef and observedPreviousRef beside them; the last
 * release's v1beta2 equals v1 (suspend, lastHandledReconcileAt, no latestImage). This schema holds
 * all of them, as the served one does. Flux's v1beta2 did not require exactly one policy.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA2, KIND } from "./common.ts";
import { ServedImagePolicyStatus } from "./served.ts";
import * as v1 from "./v1.ts";

export const API_VERSION = API_VERSION_V1BETA2;

export const ImagePolicyChoice = z.object(v1.ImagePolicyChoice.shape);

export const ImagePolicySpec = v1.specSchema(
  { ...v1.specShape, policy: ImagePolicyChoice },
  v1.specDescription,
);

export const ImagePolicyStatus = ServedImagePolicyStatus;

export const ImagePolicy = kindObject(z.literal(API_VERSION), KIND, {
  spec: ImagePolicySpec,
  status: ImagePolicyStatus,
});
export type ImagePolicy = z.infer<typeof ImagePolicy>;

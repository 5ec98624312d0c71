/**
 * ImageRepository image.toolkit.fluxcd.io/v1beta2 as Flux last published it (deprecated in favour of
 * v1). Its last release is field for field the same as v1; earlier releases lacked proxySecretRef
 * and lastScanResult.revision, which are optional, so their objects fit too.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA2, KIND } from "./common.ts";
import { ImageRepositorySpec, ImageRepositoryStatus } from "./v1.ts";

export const API_VERSION = API_VERSION_V1BETA2;

export { ImageRepositorySpec, ImageRepositoryStatus };

export const ImageRepository = kindObject(z.literal(API_VERSION), KIND, {
  spec: ImageRepositorySpec,
  status: ImageRepositoryStatus,
});
export type ImageRepository = z.infer<typeof ImageRepository>;

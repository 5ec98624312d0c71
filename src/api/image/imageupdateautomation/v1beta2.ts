/**
 * ImageUpdateAutomation image.toolkit.fluxcd.io/v1beta2 as Flux last published it (deprecated in
 * favour of v1). Its last release is field for field the same as v1; earlier releases lacked
 * push.refspec and push.options, which are optional, so their objects fit too.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA2, KIND } from "./common.ts";
import { ImageUpdateAutomationSpec, ImageUpdateAutomationStatus } from "./v1.ts";

export const API_VERSION = API_VERSION_V1BETA2;

export { ImageUpdateAutomationSpec, ImageUpdateAutomationStatus };

export const ImageUpdateAutomation = kindObject(z.literal(API_VERSION), KIND, {
  spec: ImageUpdateAutomationSpec,
  status: ImageUpdateAutomationStatus,
});
export type ImageUpdateAutomation = z.infer<typeof ImageUpdateAutomation>;

/** Parts shared by the image.toolkit.fluxcd.io kinds (ImageRepository, ImagePolicy). */
import { z } from "zod";

export const GROUP = "image.toolkit.fluxcd.io";

export const API_VERSION_V1 = `${GROUP}/v1`;
export const API_VERSION_V1BETA2 = `${GROUP}/v1beta2`;
export const API_VERSION_V1BETA1 = `${GROUP}/v1beta1`;
export const SERVED_API_VERSIONS = [API_VERSION_V1, API_VERSION_V1BETA2, API_VERSION_V1BETA1] as const;
export type ServedApiVersion = (typeof SERVED_API_VERSIONS)[number];

/** Labels and categories every image CRD carries. */
export const CRD_LABELS = {
  "app.kubernetes.io/part-of": "sluice",
  "app.kubernetes.io/component": "image-reflector-controller",
} as const;
export const CRD_CATEGORIES = ["all", "fluxcd"] as const;

/** fluxcd/pkg/apis/meta.NamespacedObjectReference: a name, and a namespace when not the referrer's. */
export const NamespacedObjectReference = z.object({
  name: z.string().describe("Name of the referent."),
  namespace: z
    .string()
    .exactOptional()
    .describe("Namespace of the referent; the referring object's namespace when empty."),
});
export type NamespacedObjectReference = z.infer<typeof NamespacedObjectReference>;

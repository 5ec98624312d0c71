/** Parts shared by the notification.toolkit.fluxcd.io kinds (Receiver, Provider, Alert). */
import { z } from "zod";
import { Condition, ReconcileRequestStatus, int64 } from "../meta.ts";

export const GROUP = "notification.toolkit.fluxcd.io";

export const API_VERSION_V1 = `${GROUP}/v1`;
export const API_VERSION_V1BETA3 = `${GROUP}/v1beta3`;
export const API_VERSION_V1BETA2 = `${GROUP}/v1beta2`;
export const API_VERSION_V1BETA1 = `${GROUP}/v1beta1`;

/** Labels and categories every notification CRD carries. */
export const CRD_LABELS = {
  "app.kubernetes.io/part-of": "sluice",
  "app.kubernetes.io/component": "notification-controller",
} as const;
export const CRD_CATEGORIES = ["all", "fluxcd"] as const;

/** The kinds an event source or a receiver's resource may name, as Flux's v1 lists them. */
export const ReferencedKind = z.enum([
  "Bucket",
  "GitRepository",
  "Kustomization",
  "HelmRelease",
  "HelmChart",
  "HelmRepository",
  "ImageRepository",
  "ImagePolicy",
  "ImageUpdateAutomation",
  "OCIRepository",
  "ArtifactGenerator",
  "ExternalArtifact",
]);
export type ReferencedKind = z.infer<typeof ReferencedKind>;

/** The kinds v1beta1 and v1beta2 listed. */
export const ReferencedKindV1beta2 = ReferencedKind.exclude(["ArtifactGenerator", "ExternalArtifact"]);

const referenceRules = [
  {
    rule: "!has(self.matchLabels) || self.name == '*'",
    message: "matchLabels requires name to be '*'",
  },
  {
    rule: "!has(self.namespace) || self.namespace != '*' || self.name == '*'",
    message: "namespace '*' requires name to be '*'",
  },
];

const referenceFields = {
  apiVersion: z.string().exactOptional().describe("API version of the referent."),
  kind: ReferencedKind.describe("Kind of the referent."),
  name: z
    .string()
    .min(1)
    .max(253)
    .describe("Name of the referent; '*' for every object of the kind (in the namespace)."),
  namespace: z
    .string()
    .min(1)
    .max(253)
    .exactOptional()
    .describe(
      "Namespace of the referent, the referring object's when empty; '*' for every namespace, which needs name '*'.",
    ),
  matchLabels: z
    .record(z.string(), z.string())
    .exactOptional()
    .describe("Labels the objects must carry, ANDed; requires name '*'."),
};

/**
 * notification v1 CrossNamespaceObjectReference with Flux's documented wildcard rules, which Flux
 * only checked in its controller: CEL for the API server, refinements for zod.
 */
export const CrossNamespaceObjectReference = z
  .object(referenceFields)
  .describe("Objects of a kind, by name or by '*' and labels, in one namespace or all.")
  .meta({ "x-kubernetes-validations": referenceRules })
  .refine((ref) => ref.matchLabels === undefined || ref.name === "*", {
    message: "matchLabels requires name to be '*'",
    path: ["matchLabels"],
  })
  .refine((ref) => ref.namespace !== "*" || ref.name === "*", {
    message: "namespace '*' requires name to be '*'",
    path: ["namespace"],
  });
export type CrossNamespaceObjectReference = z.infer<typeof CrossNamespaceObjectReference>;

/** The reference as v1beta1 and v1beta2 published it: fewer kinds, names of at most 53 characters. */
export const CrossNamespaceObjectReferenceV1beta2 = z.object({
  ...referenceFields,
  kind: ReferencedKindV1beta2.describe("Kind of the referent."),
  name: z.string().min(1).max(53).describe("Name of the referent."),
  namespace: z.string().min(1).max(53).exactOptional().describe("Namespace of the referent."),
});
export type CrossNamespaceObjectReferenceV1beta2 = z.infer<typeof CrossNamespaceObjectReferenceV1beta2>;

/** The status Provider and Alert had before they became static (v1beta1, v1beta2). */
export const LegacyStatus = z
  .object({
    observedGeneration: int64().exactOptional().describe("The last generation the controller acted on."),
    conditions: z.array(Condition).exactOptional().describe("Conditions of the object."),
    ...ReconcileRequestStatus.shape,
  })
  .default(() => ({ observedGeneration: -1 }));

/**
 * The served status of a kind that became static in v1beta3 (Provider, Alert): what v1beta1 and
 * v1beta2 controllers wrote, deprecated and without a default, so a v1beta3 object has none.
 */
export function deprecatedStatus(kind: string) {
  return z
    .object({
      observedGeneration: int64()
        .meta({ deprecated: true })
        .exactOptional()
        .describe("Deprecated: the last generation a v1beta2 controller acted on."),
      conditions: z
        .array(Condition)
        .meta({ deprecated: true })
        .exactOptional()
        .describe("Deprecated: conditions a v1beta2 controller set."),
      lastHandledReconcileAt: z
        .string()
        .meta({ deprecated: true })
        .exactOptional()
        .describe("Deprecated: the last reconcile request a v1beta2 controller handled."),
    })
    .describe(`Deprecated: status older controllers wrote; a v1beta3 ${kind} has none.`);
}

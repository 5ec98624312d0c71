/**
 * Pieces shared by every Flux kind: object metadata, conditions, references, artifacts and the
 * reconcile-request handshake, as metav1 and fluxcd/pkg/apis/meta define them on the wire.
 */
import { z } from "zod";

export { Duration, GoDuration, TimeoutDuration, isDuration, parseDuration } from "./duration.ts";

/** A 64-bit integer field (`format: int64` in the CRD). */
export const int64 = () => z.int().meta({ format: "int64" });

/** metav1.Time: an RFC 3339 timestamp. */
export const Time = z.iso.datetime({ offset: true });
export type Time = z.infer<typeof Time>;

/** Object metadata as far as Sluice reads it; unknown fields are kept. */
export const ObjectMeta = z.looseObject({
  name: z.string().exactOptional(),
  generateName: z.string().exactOptional(),
  namespace: z.string().exactOptional(),
  uid: z.string().exactOptional(),
  resourceVersion: z.string().exactOptional(),
  generation: z.int().exactOptional(),
  creationTimestamp: z.string().exactOptional(),
  deletionTimestamp: z.string().exactOptional(),
  labels: z.record(z.string(), z.string()).exactOptional(),
  annotations: z.record(z.string(), z.string()).exactOptional(),
  finalizers: z.array(z.string()).exactOptional(),
  ownerReferences: z.array(z.looseObject({})).exactOptional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;

/** A whole object of one kind: apiVersion, kind and metadata, then the kind's own fields. */
export function kindObject<
  Version extends z.ZodType<string>,
  Kind extends string,
  Shape extends z.ZodRawShape,
>(apiVersion: Version, kind: Kind, shape: Shape) {
  return z.object({ apiVersion, kind: z.literal(kind), metadata: ObjectMeta, ...shape });
}

export const ConditionStatus = z.enum(["True", "False", "Unknown"]);
export type ConditionStatus = z.infer<typeof ConditionStatus>;

/** metav1.Condition with the API server's own validation. */
export const Condition = z
  .object({
    type: z
      .string()
      .max(316)
      .regex(
        /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/,
      )
      .describe("Type of condition in CamelCase or in foo.example.com/CamelCase."),
    status: ConditionStatus.describe("Status of the condition, one of True, False, Unknown."),
    observedGeneration: int64()
      .min(0)
      .exactOptional()
      .describe("The .metadata.generation the condition was set for."),
    lastTransitionTime: Time.describe("When the condition last changed from one status to another."),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/)
      .describe("A CamelCase identifier of the reason for the last transition."),
    message: z
      .string()
      .max(32768)
      .describe("A human-readable message about the last transition; may be empty."),
  })
  .describe("One aspect of the current state of the object.");
export type Condition = z.infer<typeof Condition>;

/** A reference to an object in the same namespace. */
export const LocalObjectReference = z.object({
  name: z.string().describe("Name of the referent."),
});
export type LocalObjectReference = z.infer<typeof LocalObjectReference>;

/** A reference to an object of a given kind, optionally in another namespace. */
export const NamespacedObjectKindReference = z.object({
  apiVersion: z
    .string()
    .exactOptional()
    .describe("API version of the referent; the preferred version when empty."),
  kind: z.string().describe("Kind of the referent."),
  name: z.string().describe("Name of the referent."),
  namespace: z
    .string()
    .exactOptional()
    .describe("Namespace of the referent; the referring object's namespace when empty."),
});
export type NamespacedObjectKindReference = z.infer<typeof NamespacedObjectKindReference>;

/** Flux's provisional cross-namespace access list (`acl.AccessFrom`); never implemented by Flux. */
export const AccessFrom = z.object({
  namespaceSelectors: z
    .array(
      z.object({
        matchLabels: z
          .record(z.string(), z.string())
          .exactOptional()
          .describe("Labels a namespace must carry; an empty map matches every namespace."),
      }),
    )
    .describe("Namespace selectors, combined with a logical OR."),
});
export type AccessFrom = z.infer<typeof AccessFrom>;

const DIGEST_PATTERN = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

const artifactFields = {
  path: z.string().describe("Path of the artifact file relative to the root of the artifact storage."),
  url: z.string().describe("HTTP address the artifact can be downloaded from."),
  revision: z.string().describe("Identifier of the revision in the origin, e.g. main@sha1:<commit>."),
  digest: z
    .string()
    .regex(DIGEST_PATTERN)
    .describe("Digest of the artifact file as '<algorithm>:<checksum>'."),
  lastUpdateTime: Time.describe("When the artifact was last updated."),
  size: int64().exactOptional().describe("Size of the artifact file in bytes."),
  metadata: z
    .record(z.string(), z.string())
    .exactOptional()
    .describe("Upstream information about the artifact, such as OCI annotations."),
};

/** The output of a source reconciliation (v1). */
export const Artifact = z.object(artifactFields).describe("The output of a source reconciliation.");
export type Artifact = z.infer<typeof Artifact>;

/** The artifact as v1beta2 published it: `digest` optional and the older `checksum` beside it. */
export const ArtifactV1beta2 = z
  .object({
    ...artifactFields,
    revision: artifactFields.revision.exactOptional(),
    digest: artifactFields.digest.exactOptional(),
    checksum: z
      .string()
      .exactOptional()
      .meta({ deprecated: true })
      .describe("SHA-256 checksum of the artifact file, superseded by digest."),
    lastUpdateTime: artifactFields.lastUpdateTime.exactOptional(),
  })
  .describe("The output of a source reconciliation.");
export type ArtifactV1beta2 = z.infer<typeof ArtifactV1beta2>;

/** The artifact as v1beta1 published it. */
export const ArtifactV1beta1 = ArtifactV1beta2.pick({
  path: true,
  url: true,
  revision: true,
  checksum: true,
  lastUpdateTime: true,
});
export type ArtifactV1beta1 = z.infer<typeof ArtifactV1beta1>;

/** The status half of the reconcile-request handshake (see requestedAtAnnotation in kinds.ts). */
export const ReconcileRequestStatus = z.object({
  lastHandledReconcileAt: z
    .string()
    .exactOptional()
    .describe("The last reconcile.fluxcd.io/requestedAt annotation value the controller acted on."),
});
export type ReconcileRequestStatus = z.infer<typeof ReconcileRequestStatus>;

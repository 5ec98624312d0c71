/** Parts of the Kustomization API that several versions share. */
import { z } from "zod";
import { NamespacedObjectKindReference } from "../../meta.ts";
import { Image, JSON6902Patch, Patch } from "../kustomize-types.ts";

export const GROUP = "kustomize.toolkit.fluxcd.io";
export const KIND = "Kustomization";

export const API_VERSION_V1 = `${GROUP}/v1`;
export const API_VERSION_V1BETA2 = `${GROUP}/v1beta2`;
export const API_VERSION_V1BETA1 = `${GROUP}/v1beta1`;
export const SERVED_API_VERSIONS = [API_VERSION_V1, API_VERSION_V1BETA2, API_VERSION_V1BETA1] as const;
export type ServedApiVersion = (typeof SERVED_API_VERSIONS)[number];

/** Source kinds a Kustomization can build from; v1beta1 knew only GitRepository and Bucket. */
export const SOURCE_KINDS = ["OCIRepository", "GitRepository", "Bucket"] as const;
export const SOURCE_KINDS_V1BETA1 = ["GitRepository", "Bucket"] as const;

/** The reference to the source whose artifact is built, with the kinds a version allows. */
export function sourceReference<K extends readonly [string, ...string[]]>(kinds: K) {
  return z
    .object({
      apiVersion: z
        .string()
        .exactOptional()
        .describe("API version of the source; the preferred version when empty."),
      kind: z.enum(kinds).describe(`Kind of the source: ${kinds.join(", ")}.`),
      name: z.string().describe("Name of the source."),
      namespace: z
        .string()
        .exactOptional()
        .describe("Namespace of the source; the Kustomization's own namespace when empty."),
    })
    .describe("The source whose artifact holds the manifests.");
}

export const Path = z
  .string()
  .exactOptional()
  .describe(
    "Directory in the artifact holding a kustomization.yaml or plain manifests (one is generated); the artifact root when empty.",
  );

export const Prune = z
  .boolean()
  .describe("Delete objects this Kustomization applied before and its manifests no longer contain.");

export const Suspend = z
  .boolean()
  .exactOptional()
  .describe("Stops reconciliation of this Kustomization while true; a running reconciliation finishes.");

export const Force = z
  .boolean()
  .default(false)
  .describe("Recreate objects whose update fails because an immutable field changed.");

export const TargetNamespace = z
  .string()
  .min(1)
  .max(63)
  .exactOptional()
  .describe("Namespace set on every namespaced object, overriding the kustomization.yaml's namespace.");

export const ServiceAccountName = z
  .string()
  .exactOptional()
  .describe("ServiceAccount to impersonate while applying, pruning and health checking.");

export const DependsOnReference = z
  .object({
    name: z.string().describe("Name of the Kustomization depended on."),
    namespace: z
      .string()
      .exactOptional()
      .describe("Namespace of the Kustomization depended on; this one's namespace when empty."),
  })
  .describe("A Kustomization that must be ready before this one reconciles.");

export const DependsOn = z
  .array(DependsOnReference)
  .exactOptional()
  .describe("Kustomizations that must be ready before this one is reconciled.");

export const HealthChecks = z
  .array(NamespacedObjectKindReference)
  .exactOptional()
  .describe("Objects whose health is assessed after applying; ignored when wait is true.");

export const Images = z
  .array(Image)
  .exactOptional()
  .describe("Image name, tag or digest overrides applied to the built manifests.");

export const Patches = z
  .array(Patch)
  .exactOptional()
  .describe("Strategic merge and JSON 6902 patches applied to the built manifests, in order.");

export const Components = z
  .array(z.string())
  .exactOptional()
  .describe("Paths of kustomize Components to include, relative to path.");

export const Substitute = z
  .record(z.string(), z.string())
  .exactOptional()
  .describe("Variables replacing ${name} in the manifests; bash-style ${name:=default} is supported.");

export const CommonMetadata = z
  .object({
    labels: z
      .record(z.string(), z.string())
      .exactOptional()
      .describe("Labels set on every object, overriding existing ones with the same key."),
    annotations: z
      .record(z.string(), z.string())
      .exactOptional()
      .describe("Annotations set on every object, overriding existing ones with the same key."),
  })
  .describe("Labels and annotations set on every applied object.");
export type CommonMetadata = z.infer<typeof CommonMetadata>;

export const Wait = z
  .boolean()
  .exactOptional()
  .describe("Wait for every applied object to become healthy; healthChecks are then ignored.");

/** `validation` as v1beta1 defined it and v1beta2 kept, unused, until v1 dropped it. */
export const Validation = z.enum(["none", "client", "server"]);

/** Patches as whole objects, which v1 replaced by `patches`. */
export const PatchesStrategicMerge = z
  .array(z.record(z.string(), z.unknown()))
  .meta({ deprecated: true })
  .describe("Deprecated, use patches: strategic merge patches as inline objects.");

export const PatchesJson6902 = z
  .array(JSON6902Patch)
  .meta({ deprecated: true })
  .describe("Deprecated, use patches: JSON 6902 patches as structured operations with a target.");

export const ResourceRef = z
  .object({
    id: z.string().describe("The object as '<namespace>_<name>_<group>_<kind>'."),
    v: z.string().describe("API version of the object's kind."),
  })
  .describe("An applied object.");
export type ResourceRef = z.infer<typeof ResourceRef>;

export const ResourceInventory = z
  .object({ entries: z.array(ResourceRef).describe("The applied objects.") })
  .describe("Objects applied by the last successful reconciliation; pruning deletes what leaves it.");
export type ResourceInventory = z.infer<typeof ResourceInventory>;

/** v1beta1's record of what was applied: kinds per namespace, without object names. */
export const Snapshot = z
  .object({
    checksum: z.string().describe("SHA-1 checksum of the applied manifests."),
    entries: z
      .array(
        z.object({
          namespace: z.string().exactOptional().describe("Namespace of this entry; empty for cluster scope."),
          kinds: z
            .record(z.string(), z.string())
            .describe("Kinds applied in this namespace, keyed by group/version, kind."),
        }),
      )
      .describe("Applied kinds grouped by namespace."),
  })
  .describe("Kinds applied by the last successful reconciliation (v1beta1).");
export type Snapshot = z.infer<typeof Snapshot>;

export const Inventory = ResourceInventory.exactOptional().describe(
  "Objects applied by the last successful reconciliation.",
);

/** Kustomization kustomize.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated). */
import { z } from "zod";
import { GoDuration, kindObject } from "../../meta.ts";
import {
  API_VERSION_V1BETA1,
  DependsOn,
  Force,
  HealthChecks,
  Images,
  KIND,
  Patches,
  PatchesJson6902,
  PatchesStrategicMerge,
  Path,
  Prune,
  SOURCE_KINDS_V1BETA1,
  ServiceAccountName,
  Snapshot,
  Suspend,
  TargetNamespace,
  Validation,
  decryptionFields,
  kubeConfigReference,
  kubeConfigSecretRefFields,
  postBuild,
  sourceReference,
  statusBaseShape,
  substituteReferenceFields,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1BETA1;

export const SubstituteReference = z.object(substituteReferenceFields);
export type SubstituteReference = z.infer<typeof SubstituteReference>;

// v1beta1 validated durations only as Go durations, without the pattern later versions added.
export const KustomizationSpec = z.object({
  sourceRef: sourceReference(SOURCE_KINDS_V1BETA1),
  path: Path,
  interval: GoDuration.describe("How often the Kustomization is reconciled."),
  retryInterval: GoDuration.exactOptional(),
  timeout: GoDuration.exactOptional(),
  prune: Prune,
  healthChecks: HealthChecks,
  dependsOn: DependsOn,
  suspend: Suspend,
  targetNamespace: TargetNamespace,
  patches: Patches,
  patchesStrategicMerge: PatchesStrategicMerge.exactOptional(),
  patchesJson6902: PatchesJson6902.exactOptional(),
  images: Images,
  postBuild: postBuild(SubstituteReference).exactOptional(),
  serviceAccountName: ServiceAccountName,
  kubeConfig: kubeConfigReference(z.object(kubeConfigSecretRefFields)).exactOptional(),
  decryption: z.object(decryptionFields).exactOptional(),
  force: Force,
  validation: Validation.exactOptional().describe(
    "Dry-run validation before applying: 'client', 'server' or 'none'.",
  ),
});
export type KustomizationSpec = z.infer<typeof KustomizationSpec>;

export const KustomizationStatus = z
  .object({ ...statusBaseShape, snapshot: Snapshot.exactOptional() })
  .default(() => ({ observedGeneration: -1 }));
export type KustomizationStatus = z.infer<typeof KustomizationStatus>;

export const Kustomization = kindObject(z.literal(API_VERSION), KIND, {
  spec: KustomizationSpec,
  status: KustomizationStatus,
});
export type Kustomization = z.infer<typeof Kustomization>;

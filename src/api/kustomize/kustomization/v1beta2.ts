/** Kustomization kustomize.toolkit.fluxcd.io/v1beta2 as Flux last published it (deprecated in favour of v1). */
import { z } from "zod";
import { Duration, kindObject } from "../../meta.ts";
import {
  API_VERSION_V1BETA2,
  CommonMetadata,
  Components,
  DependsOn,
  Force,
  HealthChecks,
  Images,
  Inventory,
  KIND,
  Patches,
  PatchesJson6902,
  PatchesStrategicMerge,
  Path,
  Prune,
  SOURCE_KINDS,
  ServiceAccountName,
  Suspend,
  TargetNamespace,
  Validation,
  Wait,
  decryptionFields,
  kubeConfigKey,
  kubeConfigReference,
  kubeConfigSecretRefFields,
  postBuild,
  sourceReference,
  statusBaseShape,
  substituteOptional,
  substituteReferenceFields,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1BETA2;

export const SubstituteReference = z.object({ ...substituteReferenceFields, optional: substituteOptional });
export type SubstituteReference = z.infer<typeof SubstituteReference>;

export const KustomizationSpec = z.object({
  sourceRef: sourceReference(SOURCE_KINDS),
  path: Path,
  interval: Duration.describe("How often the Kustomization is reconciled."),
  retryInterval: Duration.exactOptional(),
  timeout: Duration.exactOptional(),
  prune: Prune,
  wait: Wait,
  healthChecks: HealthChecks,
  dependsOn: DependsOn,
  suspend: Suspend,
  targetNamespace: TargetNamespace,
  commonMetadata: CommonMetadata.exactOptional(),
  patches: Patches,
  patchesStrategicMerge: PatchesStrategicMerge.exactOptional(),
  patchesJson6902: PatchesJson6902.exactOptional(),
  images: Images,
  components: Components,
  postBuild: postBuild(SubstituteReference).exactOptional(),
  serviceAccountName: ServiceAccountName,
  kubeConfig: kubeConfigReference(
    z.object({ ...kubeConfigSecretRefFields, key: kubeConfigKey }),
  ).exactOptional(),
  decryption: z.object(decryptionFields).exactOptional(),
  force: Force,
  validation: Validation.exactOptional().describe("Deprecated: not used in v1beta2."),
});
export type KustomizationSpec = z.infer<typeof KustomizationSpec>;

export const KustomizationStatus = z
  .object({ ...statusBaseShape, inventory: Inventory })
  .default(() => ({ observedGeneration: -1 }));
export type KustomizationStatus = z.infer<typeof KustomizationStatus>;

export const Kustomization = kindObject(z.literal(API_VERSION), KIND, {
  spec: KustomizationSpec,
  status: KustomizationStatus,
});
export type Kustomization = z.infer<typeof Kustomization>;

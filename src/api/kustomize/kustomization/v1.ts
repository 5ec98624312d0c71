/** Kustomization kustomize.toolkit.fluxcd.io/v1: the version Sluice's controllers work in. */
import { z } from "zod";
import {
  Condition,
  Duration,
  int64,
  kindObject,
  LocalObjectReference,
  ReconcileRequestStatus,
} from "../../meta.ts";
import { CustomHealthCheck } from "../kustomize-types.ts";
import {
  API_VERSION_V1,
  CommonMetadata,
  Components,
  DependsOn,
  Force,
  HealthChecks,
  Images,
  Inventory,
  KIND,
  Patches,
  Path,
  Prune,
  SOURCE_KINDS,
  ServiceAccountName,
  Substitute,
  Suspend,
  TargetNamespace,
  Wait,
  sourceReference,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1;

export const SourceReference = sourceReference(SOURCE_KINDS);
export type SourceReference = z.infer<typeof SourceReference>;

export const Decryption = z
  .object({
    provider: z.enum(["sops"]).describe("The decryption engine; only 'sops'."),
    secretRef: LocalObjectReference.exactOptional().describe(
      "Secret with the private keys (OpenPGP, age) or cloud credentials used to decrypt.",
    ),
    serviceAccountName: z
      .string()
      .exactOptional()
      .describe(
        "ServiceAccount whose identity authenticates to a cloud KMS; static credentials in secretRef take priority.",
      ),
  })
  .describe("Decryption of SOPS-encrypted manifests before they are applied.");
export type Decryption = z.infer<typeof Decryption>;

export const KubeConfigReference = z
  .object({
    secretRef: z
      .object({
        name: z.string().describe("Name of the Secret holding the kubeconfig."),
        key: z.string().exactOptional().describe("Key of the kubeconfig in the Secret; 'value' when empty."),
      })
      .describe("Secret with a kubeconfig for the remote cluster."),
  })
  .describe(
    "Kubeconfig of a remote cluster to reconcile on; combined with serviceAccountName the controller impersonates that account there.",
  );
export type KubeConfigReference = z.infer<typeof KubeConfigReference>;

export const SubstituteReference = z
  .object({
    kind: z.enum(["Secret", "ConfigMap"]).describe("Kind of the object holding variables."),
    name: z
      .string()
      .min(1)
      .max(253)
      .describe("Name of the object holding variables, in the Kustomization's namespace."),
    optional: z
      .boolean()
      .default(false)
      .describe("Proceed without the variables when the object does not exist."),
  })
  .describe("A ConfigMap or Secret whose data keys are variables for substitution.");
export type SubstituteReference = z.infer<typeof SubstituteReference>;

export const PostBuild = z
  .object({
    substitute: Substitute,
    substituteFrom: z
      .array(SubstituteReference)
      .exactOptional()
      .describe("ConfigMaps and Secrets whose data keys are variables, later ones winning."),
  })
  .describe("Actions on the built manifests before they are applied.");
export type PostBuild = z.infer<typeof PostBuild>;

export const DeletionPolicy = z
  .enum(["MirrorPrune", "Delete", "WaitForTermination", "Orphan"])
  .describe(
    "What deleting the Kustomization does to its objects: MirrorPrune (delete when prune is true), Delete, WaitForTermination (delete and wait until gone) or Orphan; MirrorPrune when empty.",
  );
export type DeletionPolicy = z.infer<typeof DeletionPolicy>;

const NameAffix = z.string().min(1).max(200);

/** Fields of the v1 spec; the served schema adds the deprecated fields of older versions. */
export const specShape = {
  sourceRef: SourceReference,
  path: Path,
  interval: Duration.describe("How often the Kustomization is reconciled (approximate, may be jittered)."),
  retryInterval: Duration.exactOptional().describe(
    "How soon a failed reconciliation is retried; interval when empty.",
  ),
  timeout: Duration.exactOptional().describe(
    "Time limit for building, applying and health checking; interval when empty.",
  ),
  prune: Prune,
  deletionPolicy: DeletionPolicy.exactOptional(),
  wait: Wait,
  healthChecks: HealthChecks,
  healthCheckExprs: z
    .array(CustomHealthCheck)
    .exactOptional()
    .describe("CEL health checks for custom resource kinds, used when wait or healthChecks is set."),
  dependsOn: DependsOn,
  suspend: Suspend,
  targetNamespace: TargetNamespace,
  namePrefix: NameAffix.exactOptional().describe("Prefix added to the names of all objects."),
  nameSuffix: NameAffix.exactOptional().describe("Suffix added to the names of all objects."),
  commonMetadata: CommonMetadata.exactOptional(),
  patches: Patches,
  images: Images,
  components: Components,
  postBuild: PostBuild.exactOptional(),
  serviceAccountName: ServiceAccountName,
  kubeConfig: KubeConfigReference.exactOptional(),
  decryption: Decryption.exactOptional(),
  force: Force,
};

export const KustomizationSpec = z
  .object(specShape)
  .describe("How to build the manifests of a source artifact with kustomize and apply them.");
export type KustomizationSpec = z.infer<typeof KustomizationSpec>;

export const statusShape = {
  observedGeneration: int64().exactOptional().describe("The last generation the controller acted on."),
  conditions: z.array(Condition).exactOptional().describe("Conditions of the Kustomization."),
  lastAppliedRevision: z
    .string()
    .exactOptional()
    .describe("Revision of the source artifact last applied successfully."),
  lastAttemptedRevision: z
    .string()
    .exactOptional()
    .describe("Revision of the source artifact last attempted."),
  ...ReconcileRequestStatus.shape,
  lastAppliedOriginRevision: z
    .string()
    .exactOptional()
    .describe("Origin revision (e.g. an OCI artifact's source commit) of the artifact last applied."),
  inventory: Inventory,
};

export const KustomizationStatus = z
  .object(statusShape)
  .default(() => ({ observedGeneration: -1 }))
  .describe("Observed state of the Kustomization.");
export type KustomizationStatus = z.infer<typeof KustomizationStatus>;

export const Kustomization = kindObject(z.literal(API_VERSION), KIND, {
  spec: KustomizationSpec,
  status: KustomizationStatus,
});
export type Kustomization = z.infer<typeof Kustomization>;

/**
 * Kustomization kustomize.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated): v1beta2
 * without wait, commonMetadata, components, kubeConfig.secretRef.key, substituteFrom[].optional and
 * OCIRepository sources, with durations validated only as Go durations and the status's snapshot
 * in place of its inventory.
 */
import { z } from "zod";
import { GoDuration, kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA1, KIND, SOURCE_KINDS_V1BETA1, Snapshot, sourceReference } from "./common.ts";
import * as v1 from "./v1.ts";
import * as v1beta2 from "./v1beta2.ts";

export const API_VERSION = API_VERSION_V1BETA1;

const SubstituteReference = v1.SubstituteReference.omit({ optional: true });
const KubeConfigSecretRef = v1.KubeConfigReference.shape.secretRef.omit({ key: true });

export const KustomizationSpec = v1beta2.KustomizationSpec.omit({
  wait: true,
  commonMetadata: true,
  components: true,
}).extend({
  sourceRef: sourceReference(SOURCE_KINDS_V1BETA1),
  interval: GoDuration,
  retryInterval: GoDuration.exactOptional(),
  timeout: GoDuration.exactOptional(),
  postBuild: v1.PostBuild.extend({
    substituteFrom: z.array(SubstituteReference).exactOptional(),
  }).exactOptional(),
  kubeConfig: v1.KubeConfigReference.extend({ secretRef: KubeConfigSecretRef }).exactOptional(),
});

export const KustomizationStatus = v1beta2.KustomizationStatus.unwrap()
  .omit({ inventory: true })
  .extend({ snapshot: Snapshot.exactOptional() })
  .default(() => ({ observedGeneration: -1 }));

export const Kustomization = kindObject(z.literal(API_VERSION), KIND, {
  spec: KustomizationSpec,
  status: KustomizationStatus,
});
export type Kustomization = z.infer<typeof Kustomization>;

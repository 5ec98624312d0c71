/**
 * Kustomization kustomize.toolkit.fluxcd.io/v1beta2 as Flux last published it (deprecated in favour
 * of v1): the served schema without v1's deletionPolicy, healthCheckExprs, namePrefix, nameSuffix,
 * decryption.serviceAccountName and status.lastAppliedOriginRevision.
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA2, KIND } from "./common.ts";
import { ServedKustomizationSpec } from "./served.ts";
import * as v1 from "./v1.ts";

export const API_VERSION = API_VERSION_V1BETA2;

export const KustomizationSpec = ServedKustomizationSpec.omit({
  deletionPolicy: true,
  healthCheckExprs: true,
  namePrefix: true,
  nameSuffix: true,
}).extend({ decryption: v1.Decryption.omit({ serviceAccountName: true }).exactOptional() });

export const KustomizationStatus = v1.KustomizationStatus.unwrap()
  .omit({ lastAppliedOriginRevision: true })
  .default(() => ({ observedGeneration: -1 }));

export const Kustomization = kindObject(z.literal(API_VERSION), KIND, {
  spec: KustomizationSpec,
  status: KustomizationStatus,
});
export type Kustomization = z.infer<typeof Kustomization>;

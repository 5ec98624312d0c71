/**
 * GitRepository source.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated): v1beta2
 * without ref.name, with an optional verify.secretRef, durations validated only as Go durations,
 * and a status without the observed* fields and the artifact digest.
 */
import { z } from "zod";
import { ArtifactV1beta1, GoDuration, kindObject } from "../../meta.ts";
import { API_VERSION_V1BETA1, KIND } from "./common.ts";
import * as v1 from "./v1.ts";
import * as v1beta2 from "./v1beta2.ts";

export const API_VERSION = API_VERSION_V1BETA1;

export const GitRepositorySpec = v1beta2.GitRepositorySpec.extend({
  interval: GoDuration,
  timeout: GoDuration.default("60s"),
  ref: v1.GitRepositoryRef.omit({ name: true }).exactOptional(),
  verify: v1beta2.GitRepositoryVerification.extend({
    secretRef: v1.GitRepositoryVerification.shape.secretRef.exactOptional(),
  }).exactOptional(),
});

export const GitRepositoryStatus = v1beta2.GitRepositoryStatus.unwrap()
  .omit({
    contentConfigChecksum: true,
    observedIgnore: true,
    observedRecurseSubmodules: true,
    observedInclude: true,
  })
  .extend({
    artifact: ArtifactV1beta1.exactOptional(),
    includedArtifacts: z.array(ArtifactV1beta1).exactOptional(),
  })
  .default(() => ({ observedGeneration: -1 }));

export const GitRepository = kindObject(z.literal(API_VERSION), KIND, {
  spec: GitRepositorySpec,
  status: GitRepositoryStatus,
});
export type GitRepository = z.infer<typeof GitRepository>;

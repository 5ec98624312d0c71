/** GitRepository source.toolkit.fluxcd.io/v1beta1 as Flux last published it (deprecated). */
import { z } from "zod";
import {
  ArtifactV1beta1,
  Condition,
  GoDuration,
  int64,
  kindObject,
  LocalObjectReference,
  ReconcileRequestStatus,
} from "../../meta.ts";
import {
  API_VERSION_V1BETA1,
  AccessFromField,
  GitImplementation,
  GitUrl,
  Ignore,
  Include,
  KIND,
  RecurseSubmodules,
  SecretRef,
  Suspend,
  refFields,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1BETA1;

export const GitRepositoryRef = z.object(refFields);
export type GitRepositoryRef = z.infer<typeof GitRepositoryRef>;

export const GitRepositoryVerification = z.object({
  mode: z.enum(["head"]).describe("Which Git object to verify; only 'head' in this version."),
  secretRef: LocalObjectReference.exactOptional().describe(
    "Secret with the PGP public keys of trusted authors.",
  ),
});
export type GitRepositoryVerification = z.infer<typeof GitRepositoryVerification>;

// v1beta1 validated durations only as Go durations, without the pattern later versions added.
export const GitRepositorySpec = z.object({
  url: GitUrl,
  secretRef: SecretRef.exactOptional(),
  interval: GoDuration.describe("How often the repository is checked for changes."),
  timeout: GoDuration.default("60s").describe(
    "Timeout for Git operations such as cloning; 60s when omitted.",
  ),
  ref: GitRepositoryRef.exactOptional(),
  verify: GitRepositoryVerification.exactOptional(),
  ignore: Ignore,
  suspend: Suspend,
  gitImplementation: GitImplementation.exactOptional(),
  recurseSubmodules: RecurseSubmodules,
  include: Include,
  accessFrom: AccessFromField.exactOptional(),
});
export type GitRepositorySpec = z.infer<typeof GitRepositorySpec>;

export const GitRepositoryStatus = z
  .object({
    observedGeneration: int64().exactOptional(),
    conditions: z.array(Condition).exactOptional(),
    url: z.string().exactOptional().describe("Deprecated: download link of the last artifact."),
    artifact: ArtifactV1beta1.exactOptional(),
    includedArtifacts: z.array(ArtifactV1beta1).exactOptional(),
    ...ReconcileRequestStatus.shape,
  })
  .default(() => ({ observedGeneration: -1 }));
export type GitRepositoryStatus = z.infer<typeof GitRepositoryStatus>;

export const GitRepository = kindObject(z.literal(API_VERSION), KIND, {
  spec: GitRepositorySpec,
  status: GitRepositoryStatus,
});
export type GitRepository = z.infer<typeof GitRepository>;

/** GitRepository source.toolkit.fluxcd.io/v1beta2 as Flux published it (deprecated in favour of v1). */
import { z } from "zod";
import {
  ArtifactV1beta2,
  Condition,
  Duration,
  int64,
  kindObject,
  LocalObjectReference,
  ReconcileRequestStatus,
} from "../../meta.ts";
import {
  API_VERSION_V1BETA2,
  AccessFromField,
  GitImplementation,
  GitRepositoryInclude,
  GitUrl,
  Ignore,
  Include,
  KIND,
  RecurseSubmodules,
  SecretRef,
  Suspend,
  Timeout,
  refFields,
  refName,
} from "./common.ts";

export const API_VERSION = API_VERSION_V1BETA2;

export const GitRepositoryRef = z.object({ ...refFields, name: refName });
export type GitRepositoryRef = z.infer<typeof GitRepositoryRef>;

export const GitRepositoryVerification = z.object({
  mode: z.enum(["head"]).describe("Which Git object to verify; only 'head' in this version."),
  secretRef: LocalObjectReference.describe("Secret with the PGP public keys of trusted authors."),
});
export type GitRepositoryVerification = z.infer<typeof GitRepositoryVerification>;

export const GitRepositorySpec = z.object({
  url: GitUrl,
  secretRef: SecretRef.exactOptional(),
  interval: Duration.describe("How often the repository is checked for changes."),
  timeout: Timeout,
  ref: GitRepositoryRef.exactOptional(),
  verify: GitRepositoryVerification.exactOptional(),
  ignore: Ignore,
  suspend: Suspend,
  // Flux defaulted this to go-git; Sluice leaves it unset so only a user's own setting is reported.
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
    url: z.string().exactOptional().describe("Deprecated: best-effort link to the latest artifact."),
    artifact: ArtifactV1beta2.exactOptional(),
    includedArtifacts: z.array(ArtifactV1beta2).exactOptional(),
    contentConfigChecksum: z
      .string()
      .exactOptional()
      .describe("Deprecated: checksum of the content configuration, replaced by the observed* fields."),
    observedIgnore: z.string().exactOptional(),
    observedRecurseSubmodules: z.boolean().exactOptional(),
    observedInclude: z.array(GitRepositoryInclude).exactOptional(),
    ...ReconcileRequestStatus.shape,
  })
  .default(() => ({ observedGeneration: -1 }));
export type GitRepositoryStatus = z.infer<typeof GitRepositoryStatus>;

export const GitRepository = kindObject(z.literal(API_VERSION), KIND, {
  spec: GitRepositorySpec,
  status: GitRepositoryStatus,
});
export type GitRepository = z.infer<typeof GitRepository>;

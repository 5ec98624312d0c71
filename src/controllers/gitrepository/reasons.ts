import { fetchFailedCondition, GitFailureReason } from "../git-errors.ts";

/** Condition types and reasons of GitRepository, as Flux's source-controller names them. */
export const GitRepositoryCondition = {
  FetchFailed: fetchFailedCondition,
  ArtifactInStorage: "ArtifactInStorage",
  IncludeUnavailable: "IncludeUnavailable",
  StorageOperationFailed: "StorageOperationFailed",
} as const;

export const GitRepositoryReason = {
  Succeeded: "Succeeded",
  ...GitFailureReason,
  URLInvalid: "URLInvalid",
  StorageOperationFailed: "StorageOperationFailed",
  IncludeUnavailable: "IncludeUnavailable",
  NewArtifact: "NewArtifact",
  VerificationNotSupported: "VerificationNotSupported",
} as const;

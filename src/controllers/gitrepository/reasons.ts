/** Condition types and reasons of GitRepository, as Flux's source-controller names them. */
export const GitRepositoryCondition = {
  FetchFailed: "FetchFailed",
  ArtifactInStorage: "ArtifactInStorage",
  IncludeUnavailable: "IncludeUnavailable",
  StorageOperationFailed: "StorageOperationFailed",
} as const;

export const GitRepositoryReason = {
  Succeeded: "Succeeded",
  GitOperationFailed: "GitOperationFailed",
  AuthenticationFailed: "AuthenticationFailed",
  URLInvalid: "URLInvalid",
  StorageOperationFailed: "StorageOperationFailed",
  IncludeUnavailable: "IncludeUnavailable",
  NewArtifact: "NewArtifact",
  VerificationNotSupported: "VerificationNotSupported",
} as const;

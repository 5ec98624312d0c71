/** Reasons of Kustomization conditions and events, as Flux's kustomize-controller names them. */
export const KustomizationReason = {
  ReconciliationSucceeded: "ReconciliationSucceeded",
  ReconciliationFailed: "ReconciliationFailed",
  Progressing: "Progressing",
  ArtifactFailed: "ArtifactFailed",
  BuildFailed: "BuildFailed",
  HealthCheckFailed: "HealthCheckFailed",
  DependencyNotReady: "DependencyNotReady",
  PruneFailed: "PruneFailed",
  AccessDenied: "AccessDenied",
  Unsupported: "Unsupported",
} as const;

export const KustomizationCondition = {
  Healthy: "Healthy",
} as const;

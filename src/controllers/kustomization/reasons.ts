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
  DeprecatedField: "DeprecatedField",
  Unsupported: "Unsupported",
} as const;

export const KustomizationCondition = {
  Healthy: "Healthy",
} as const;

/** Flux's finalizer on Kustomizations: deleting one prunes what it applied (when prune is set). */
export const kustomizationFinalizer = "finalizers.fluxcd.io";
export const fieldManager = "kustomize-controller";
export const ownerNameLabel = "kustomize.toolkit.fluxcd.io/name";
export const ownerNamespaceLabel = "kustomize.toolkit.fluxcd.io/namespace";

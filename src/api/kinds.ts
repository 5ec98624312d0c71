/**
 * The apiVersion Sluice reads and writes each Flux kind in: the newest version of the kinds it
 * serves (their CRDs' storage version), and the version Flux serves for the kinds Sluice only
 * refers to (sources of other controllers, Helm). One table for controllers, the CLI and the
 * receiver's triggers; a test keeps it equal to the CRDs.
 */
export const fluxApiVersions = {
  GitRepository: "source.toolkit.fluxcd.io/v1",
  OCIRepository: "source.toolkit.fluxcd.io/v1",
  HelmRepository: "source.toolkit.fluxcd.io/v1",
  HelmChart: "source.toolkit.fluxcd.io/v1",
  Bucket: "source.toolkit.fluxcd.io/v1",
  Kustomization: "kustomize.toolkit.fluxcd.io/v1",
  HelmRelease: "helm.toolkit.fluxcd.io/v2",
  ImageRepository: "image.toolkit.fluxcd.io/v1",
  ImagePolicy: "image.toolkit.fluxcd.io/v1",
  ImageUpdateAutomation: "image.toolkit.fluxcd.io/v1",
  Receiver: "notification.toolkit.fluxcd.io/v1",
  Provider: "notification.toolkit.fluxcd.io/v1beta3",
  Alert: "notification.toolkit.fluxcd.io/v1beta3",
} as const;

export type FluxKind = keyof typeof fluxApiVersions;

/** The annotation that asks a controller to reconcile now; its value is the time of the request. */
export const requestedAtAnnotation = "reconcile.fluxcd.io/requestedAt";

/** The apiVersion of a Flux kind named without one, or undefined when it is not a Flux kind. */
export function fluxApiVersionOf(kind: string): string | undefined {
  return Object.hasOwn(fluxApiVersions, kind) ? fluxApiVersions[kind as FluxKind] : undefined;
}

/** Set by `sluice resume image update`: rollbacks committed before that time are accepted. */
/** On an ImageUpdateAutomation: also set the images of Flux v1 automated workloads (ADR 0024). */
export const fluxV1WorkloadsAnnotation = "image.toolkit.sluice.dev/flux-v1-workloads";

export const rollbacksAcknowledgedAnnotation = "image.toolkit.sluice.dev/rollbacks-acknowledged-at";

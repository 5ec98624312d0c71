/**
 * What a Kustomization's build is given and what every object it applies carries: one mapping for
 * the controller and for `sluice build` / `sluice diff`, so the CLI shows what the controller does.
 */
import type { Kustomization } from "../api/kustomize/kustomization/index.ts";
import type { KubeObject } from "../kube/objects.ts";
import type { KustomizationBuildSpec } from "./index.ts";

/** The field manager of every applied object, as kustomize-controller names itself. */
export const fieldManager = "kustomize-controller";
export const ownerNameLabel = "kustomize.toolkit.fluxcd.io/name";
export const ownerNamespaceLabel = "kustomize.toolkit.fluxcd.io/namespace";

/** An object's name and namespace: a parsed Kustomization, or the raw object while it is deleted. */
interface Owner {
  metadata: { name?: string | undefined; namespace?: string | undefined };
}

/** The settings of `spec` that `buildManifests` writes into the build (kustomization.yaml, postBuild). */
export function buildSettings(spec: Kustomization["spec"]): KustomizationBuildSpec {
  return {
    targetNamespace: spec.targetNamespace,
    namePrefix: spec.namePrefix,
    nameSuffix: spec.nameSuffix,
    commonMetadata: spec.commonMetadata,
    patches: spec.patches,
    images: spec.images,
    components: spec.components,
    postBuild: spec.postBuild,
  };
}

/** The labels every applied object carries; pruning only deletes objects that still carry them. */
export function ownerLabels(obj: Owner): Record<string, string> {
  return { [ownerNameLabel]: obj.metadata.name!, [ownerNamespaceLabel]: obj.metadata.namespace! };
}

/** `objects` with `obj`'s owner labels added (over any of the same name they had). */
export function withOwnerLabels(objects: readonly KubeObject[], obj: Owner): KubeObject[] {
  const labels = ownerLabels(obj);
  return objects.map((o) => ({
    ...o,
    metadata: { ...o.metadata, labels: { ...o.metadata.labels, ...labels } },
  }));
}

import type { KubeObject } from "../kube/objects.ts";

export interface CommonMetadata {
  labels?: Readonly<Record<string, string>> | undefined;
  annotations?: Readonly<Record<string, string>> | undefined;
}

/**
 * Sets the Kustomization's commonMetadata on every object's own labels and annotations, replacing
 * values of the same keys. Like Flux, this happens after substitution and leaves selectors and
 * pod templates alone (kustomize's commonLabels would rewrite those).
 */
export function applyCommonMetadata(
  objects: readonly KubeObject[],
  common: CommonMetadata | undefined,
): KubeObject[] {
  const labels = common?.labels ?? {};
  const annotations = common?.annotations ?? {};
  if (Object.keys(labels).length === 0 && Object.keys(annotations).length === 0) return [...objects];
  return objects.map((object) => {
    const metadata = { ...object.metadata };
    if (Object.keys(labels).length > 0) metadata.labels = { ...metadata.labels, ...labels };
    if (Object.keys(annotations).length > 0)
      metadata.annotations = { ...metadata.annotations, ...annotations };
    return { ...object, metadata };
  });
}

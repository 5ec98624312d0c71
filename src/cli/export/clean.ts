/** What `sluice export` keeps of an object: what a person writes (no status, no server-set metadata). */
import { requestedAtAnnotation } from "../../api/kinds.ts";
import type { KubeObject } from "../../kube/objects.ts";
import type { FluxObject } from "../shared/kinds.ts";

/** Annotations the server or a client set, not the author. */
const droppedAnnotations = new Set([
  requestedAtAnnotation,
  "kubectl.kubernetes.io/last-applied-configuration",
]);

export function exportable(obj: FluxObject): KubeObject {
  const { labels, annotations } = obj.metadata as {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  const kept = Object.entries(annotations ?? {}).filter(([k]) => !droppedAnnotations.has(k));
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name: obj.metadata.name,
      ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
      ...(labels && Object.keys(labels).length ? { labels } : {}),
      ...(kept.length ? { annotations: Object.fromEntries(kept) } : {}),
    },
    ...(obj.spec ? { spec: obj.spec } : {}),
  };
}

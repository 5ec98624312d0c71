/** The delivery objects the web UI shows, and what it shows of each. */
import type { FluxKind } from "../api/kinds.ts";
import type { InventoryEntry } from "../kube/inventory.ts";
import type { KubeObject } from "../kube/objects.ts";

export const deliveryKinds = [
  "GitRepository",
  "Kustomization",
  "ImageRepository",
  "ImagePolicy",
  "ImageUpdateAutomation",
] as const satisfies readonly FluxKind[];
export type DeliveryKind = (typeof deliveryKinds)[number];

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export type DeliveryObject = KubeObject & {
  spec?: { suspend?: boolean };
  status?: {
    conditions?: Condition[];
    lastAppliedRevision?: string;
    artifact?: { revision?: string };
    latestRef?: { name?: string; tag?: string; digest?: string };
    lastPushCommit?: string;
    lastScanResult?: { tagCount?: number };
    inventory?: { entries?: InventoryEntry[] };
  };
};

/** What the object last achieved: an applied or fetched revision, a chosen tag, a pushed commit. */
function revisionOf(obj: DeliveryObject): string {
  const s = obj.status ?? {};
  if (s.lastAppliedRevision) return s.lastAppliedRevision;
  if (s.artifact?.revision) return s.artifact.revision;
  if (s.latestRef?.name) return `${s.latestRef.name}:${s.latestRef.tag ?? ""}`;
  if (s.lastPushCommit) return s.lastPushCommit;
  if (s.lastScanResult?.tagCount !== undefined) return `${s.lastScanResult.tagCount} tags`;
  return "";
}

export function summary(obj: DeliveryObject) {
  const ready = obj.status?.conditions?.find((c) => c.type === "Ready");
  return {
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? "",
    name: obj.metadata.name,
    ready: ready?.status ?? "Unknown",
    reason: ready?.reason ?? "",
    message: ready?.message ?? "",
    suspended: obj.spec?.suspend === true,
    revision: revisionOf(obj),
  };
}

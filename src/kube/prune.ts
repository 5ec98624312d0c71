import type { KubeClient } from "./client.ts";
import { isNotFound } from "./errors.ts";
import { apiVersionOf, describeId, parseEntry, type InventoryEntry, type ObjectId } from "./inventory.ts";
import type { KubeObject } from "./objects.ts";

export const pruneAnnotation = "kustomize.toolkit.fluxcd.io/prune";

export interface PruneResult {
  subject: string;
  action: "deleted" | "skipped";
  reason?: string;
}

const lastKinds = ["CustomResourceDefinition", "Namespace"];
/** Dependents first: ordinary objects, then CRDs (their custom resources go with them), namespaces last. */
function pruneOrder(a: ObjectId, b: ObjectId): number {
  return lastKinds.indexOf(a.kind) - lastKinds.indexOf(b.kind);
}

function ownedBy(obj: KubeObject, ownerLabels: Record<string, string>): boolean {
  return Object.entries(ownerLabels).every(([k, v]) => obj.metadata.labels?.[k] === v);
}

/**
 * Deletes the objects of `stale` inventory entries — only those still carrying `ownerLabels`
 * (another owner may have taken them over) and not annotated `prune: disabled`.
 */
export async function pruneStale(
  client: KubeClient,
  stale: readonly InventoryEntry[],
  ownerLabels: Record<string, string>,
): Promise<PruneResult[]> {
  const ids = stale
    .map(parseEntry)
    .filter((id): id is ObjectId => id !== undefined)
    .sort(pruneOrder);
  const results: PruneResult[] = [];
  for (const id of ids) results.push(await pruneOne(client, id, ownerLabels));
  return results;
}

async function pruneOne(
  client: KubeClient,
  id: ObjectId,
  ownerLabels: Record<string, string>,
): Promise<PruneResult> {
  const subject = describeId(id);
  const namespace = id.namespace || undefined;
  let live: KubeObject;
  try {
    live = await client.get(apiVersionOf(id), id.kind, id.name, namespace);
  } catch (err) {
    if (isNotFound(err)) return { subject, action: "skipped", reason: "already gone" };
    throw err;
  }
  if (live.metadata.annotations?.[pruneAnnotation]?.toLowerCase() === "disabled") {
    return { subject, action: "skipped", reason: "prune disabled by annotation" };
  }
  if (!ownedBy(live, ownerLabels))
    return { subject, action: "skipped", reason: "no longer owned by this Kustomization" };
  if (live.metadata.deletionTimestamp) return { subject, action: "skipped", reason: "already being deleted" };
  try {
    await client.delete(apiVersionOf(id), id.kind, id.name, namespace);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return { subject, action: "deleted" };
}

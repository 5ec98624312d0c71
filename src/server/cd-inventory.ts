/** A Kustomization's applied objects as the delivery page shows them: each with its health now. */
import { computeHealth, type HealthStatus } from "../kube/health.ts";
import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import { apiVersionOf, parseEntry, type InventoryEntry } from "../kube/inventory.ts";

export interface InventoryItem {
  kind: string;
  namespace: string;
  name: string;
  apiVersion: string;
  health: HealthStatus | "Unknown";
  message: string;
}

/** Objects whose health is read; a larger inventory lists the rest without it. */
const maxChecked = 300;
const parallel = 16;

export async function inventoryItems(
  kube: KubeClient,
  entries: readonly InventoryEntry[],
): Promise<InventoryItem[]> {
  const items = entries.flatMap((entry) => {
    const id = parseEntry(entry);
    return id
      ? [{ kind: id.kind, namespace: id.namespace, name: id.name, apiVersion: apiVersionOf(id) }]
      : [];
  });
  const result: InventoryItem[] = items.map((i) => ({ ...i, health: "Unknown", message: "" }));
  const checked = result.slice(0, maxChecked);
  for (let i = 0; i < checked.length; i += parallel) {
    await Promise.all(
      checked.slice(i, i + parallel).map(async (item) => {
        try {
          const health = computeHealth(
            await kube.get(item.apiVersion, item.kind, item.name, item.namespace || undefined),
          );
          item.health = health.status;
          item.message = health.message;
        } catch (error) {
          if (!isNotFound(error)) throw error;
          item.health = "NotFound";
          item.message = "not in the cluster";
        }
      }),
    );
  }
  return result;
}

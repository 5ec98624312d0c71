import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "../../kube/client.ts";
import { isNotFound } from "../../kube/errors.ts";
import { computeHealth, type Health } from "../../kube/health.ts";
import { apiVersionOf, describeId, type ObjectId } from "../../kube/inventory.ts";
import { ReconcileError } from "../reconcile-error.ts";
import { KustomizationReason as Reason } from "./reasons.ts";

async function healthOf(client: KubeClient, id: ObjectId): Promise<Health> {
  try {
    return computeHealth(await client.get(apiVersionOf(id), id.kind, id.name, id.namespace || undefined));
  } catch (err) {
    if (isNotFound(err)) return computeHealth(undefined);
    throw err;
  }
}

/**
 * Polls the objects until all are Current. A Failed object or the timeout ends it with
 * HealthCheckFailed naming every object that is not healthy and its status.
 */
export async function waitForHealth(
  client: KubeClient,
  ids: ObjectId[],
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = ids;
  for (;;) {
    const results = await Promise.all(
      pending.map(async (id) => ({ id, health: await healthOf(client, id) })),
    );
    const failed = results.filter((r) => r.health.status === "Failed");
    pending = results.filter((r) => r.health.status !== "Current").map((r) => r.id);
    if (failed.length) {
      throw new ReconcileError(
        Reason.HealthCheckFailed,
        `health check failed: ${failed.map((r) => `${describeId(r.id)}: ${r.health.message}`).join("; ")}`,
      );
    }
    if (pending.length === 0) return;
    if (Date.now() > deadline || signal.aborted) {
      const waiting = results
        .filter((r) => r.health.status !== "Current")
        .map((r) => `${describeId(r.id)} status: '${r.health.status}' (${r.health.message})`);
      throw new ReconcileError(
        Reason.HealthCheckFailed,
        `health check failed after ${Math.round(timeoutMs / 1000)}s: timeout waiting for: [${waiting.join(", ")}]`,
      );
    }
    await sleep(Math.min(1000, Math.max(100, deadline - Date.now())));
  }
}

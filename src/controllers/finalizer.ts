import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import type { KubeObject } from "../kube/objects.ts";
import { objectRef } from "../runtime/status-patcher.ts";
/** Flux's finalizer, shared by every kind that cleans up after deletion. */
export const fluxFinalizer = "finalizers.fluxcd.io";

/** Adds our finalizer (guarded by resourceVersion, so a concurrent change is never overwritten). */
export async function ensureFinalizer(client: KubeClient, obj: KubeObject): Promise<void> {
  const finalizers = obj.metadata.finalizers ?? [];
  if (finalizers.includes(fluxFinalizer)) return;
  await client.patch(objectRef(obj), {
    metadata: { finalizers: [...finalizers, fluxFinalizer], resourceVersion: obj.metadata.resourceVersion },
  });
}

/** Runs the cleanup of a deleted object, then lets the deletion finish by removing our finalizer. */
export async function finalize(
  client: KubeClient,
  obj: KubeObject,
  cleanup: () => Promise<void>,
): Promise<void> {
  const finalizers = obj.metadata.finalizers ?? [];
  if (!finalizers.includes(fluxFinalizer)) return;
  await cleanup();
  try {
    await client.patch(objectRef(obj), {
      metadata: {
        finalizers: finalizers.filter((f) => f !== fluxFinalizer),
        resourceVersion: obj.metadata.resourceVersion,
      },
    });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}

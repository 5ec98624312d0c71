import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import type { KubeObject } from "../kube/objects.ts";
import type { ReconcileError } from "./reconcile-error.ts";

export type Secret = KubeObject & { type?: string; data?: Record<string, string> };

/**
 * A Secret a spec refers to, from `cached` (an informer's store) when it has it; a missing Secret
 * becomes the kind's own reconcile error, made by `missing`.
 */
export async function referencedSecret(
  client: KubeClient,
  namespace: string,
  name: string,
  missing: () => ReconcileError,
  cached?: (namespace: string, name: string) => KubeObject | undefined,
): Promise<Secret> {
  try {
    return (
      (cached?.(namespace, name) as Secret | undefined) ??
      (await client.get<Secret>("v1", "Secret", name, namespace))
    );
  } catch (err) {
    if (isNotFound(err)) throw missing();
    throw err;
  }
}

import type { AccessFrom } from "../../api/meta.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { ReconcileError } from "../reconcile-error.ts";
import { ImagePolicyReason } from "./reasons.ts";

/**
 * Whether an object in `namespace` may use a target in another namespace: the target's
 * accessFrom must list a selector matching the namespace's labels (Flux's ACL semantics).
 */
export async function checkAccess(
  client: KubeClient,
  namespace: string,
  target: KubeObject & { spec?: { accessFrom?: AccessFrom } },
): Promise<void> {
  if (target.metadata.namespace === namespace) return;
  const selectors = target.spec?.accessFrom?.namespaceSelectors ?? [];
  const subject = `${target.kind} '${target.metadata.namespace}/${target.metadata.name}'`;
  if (selectors.length) {
    const ns = await client.get("v1", "Namespace", namespace);
    const labels = ns.metadata.labels ?? {};
    if (selectors.some((s) => Object.entries(s.matchLabels ?? {}).every(([k, v]) => labels[k] === v))) return;
  }
  throw new ReconcileError(
    ImagePolicyReason.AccessDenied,
    `${subject} does not allow access from namespace '${namespace}': add it to spec.accessFrom.namespaceSelectors`,
    { stalled: true },
  );
}

import type { KubeObject } from "../../kube/objects.ts";
import type { PolicyImage } from "../../automation/setters.ts";
import { isReady } from "../../runtime/conditions.ts";

export interface LabelSelector {
  matchLabels?: Record<string, string> | undefined;
  matchExpressions?: { key: string; operator: string; values?: string[] | undefined }[] | undefined;
}

type Policy = KubeObject & {
  status?: {
    latestRef?: { name: string; tag: string; digest?: string };
    conditions?: { type: string; status: string }[];
  };
};

/** Whether `labels` satisfy a Kubernetes label selector (an absent selector selects everything). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabels &&
    (selector.matchExpressions ?? []).every((e) => {
      const has = e.key in labels;
      const value = labels[e.key];
      switch (e.operator) {
        case "In":
          return has && (e.values ?? []).includes(value!);
        case "NotIn":
          return !has || !(e.values ?? []).includes(value!);
        case "Exists":
          return has;
        case "DoesNotExist":
          return !has;
        default:
          return false;
      }
    })
  );
}

/** The Ready policies of a namespace that the selector picks, as setters read them ("ns:name"). */
export function policyImages(
  policies: KubeObject[],
  namespace: string,
  selector: LabelSelector | undefined,
): Map<string, PolicyImage> {
  const images = new Map<string, PolicyImage>();
  for (const p of policies as Policy[]) {
    if (p.metadata.namespace !== namespace || !selects(selector, p.metadata.labels)) continue;
    const ready = isReady(p.status?.conditions);
    const ref = p.status?.latestRef;
    if (ready && ref)
      images.set(`${namespace}:${p.metadata.name}`, {
        name: ref.name,
        tag: ref.tag,
        ...(ref.digest ? { digest: ref.digest } : {}),
      });
  }
  return images;
}

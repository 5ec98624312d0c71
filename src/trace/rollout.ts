/**
 * The last hop of a trace: the workloads a Kustomization applied that run an image, whether they
 * rolled out, when, and their Pods.
 */
import type { KubeClient } from "../kube/client.ts";
import { computeHealth } from "../kube/health.ts";
import { apiVersionOf, parseEntry, type InventoryEntry, type ObjectId } from "../kube/inventory.ts";
import type { KubeObject } from "../kube/objects.ts";
import type { Status } from "./cluster-records.ts";
import { optional, traceableWorkloads, type TraceStep } from "./trace-types.ts";

const workloadKinds = new Set<string>(traceableWorkloads);
/** A rollout's Pods listed at most; the step says how many more. */
const maxPods = 20;

type PodSpec = { containers?: { image?: string }[]; initContainers?: { image?: string }[] };
export type Workload = KubeObject & {
  spec?: { selector?: { matchLabels?: Record<string, string> }; template?: { spec?: PodSpec } };
  status?: Status;
};

export function imagesOf(workload: Workload): string[] {
  const pod = workload.spec?.template?.spec;
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])].flatMap((c) =>
    c.image ? [c.image] : [],
  );
}

export function isWorkload(id: ObjectId): boolean {
  return workloadKinds.has(id.kind) && id.group === "apps";
}

/** The workloads of an inventory, as they are now (those gone are left out). */
export async function inventoryWorkloads(
  kube: KubeClient,
  entries: readonly InventoryEntry[],
): Promise<Workload[]> {
  const ids = entries.flatMap((e) => {
    const id = parseEntry(e);
    return id && isWorkload(id) ? [id] : [];
  });
  const found = await Promise.all(
    ids.map((id) =>
      kube.get<Workload>(apiVersionOf(id), id.kind, id.name, id.namespace).catch(() => undefined),
    ),
  );
  return found.filter((w): w is Workload => w !== undefined);
}

/** When the workload finished its rollout: a Deployment's `NewReplicaSetAvailable` progress. */
function rolledOutAt(workload: Workload): string | undefined {
  const progressing = workload.status?.conditions?.find((c) => c.type === "Progressing");
  return progressing?.reason === "NewReplicaSetAvailable"
    ? (progressing.lastUpdateTime ?? progressing.lastTransitionTime)
    : undefined;
}

async function podsOf(kube: KubeClient, workload: Workload): Promise<string[]> {
  const labels = workload.spec?.selector?.matchLabels;
  if (!labels || Object.keys(labels).length === 0) return [];
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const pods = await kube.list<KubeObject & { spec?: { nodeName?: string }; status?: { phase?: string } }>(
    "v1",
    "Pod",
    { namespace: workload.metadata.namespace ?? "", labelSelector: selector },
  );
  const lines = pods.items
    .slice(0, maxPods)
    .map(
      (p) =>
        `Pod ${p.metadata.name} ${p.status?.phase ?? "Unknown"}${p.spec?.nodeName ? ` on ${p.spec.nodeName}` : ""}`,
    );
  if (pods.items.length > maxPods) lines.push(`… and ${pods.items.length - maxPods} more`);
  return lines;
}

/** The rollout step of one workload that runs (or ran) `image`. */
export async function rolloutStep(kube: KubeClient, workload: Workload, image: string): Promise<TraceStep> {
  const where = `${workload.kind} ${workload.metadata.namespace}/${workload.metadata.name}`;
  const running = imagesOf(workload);
  if (!running.includes(image))
    return { stage: "rollout", state: "superseded", title: where, detail: `now runs ${running.join(", ")}` };
  const health = computeHealth(workload);
  const state = health.status === "Current" ? "done" : health.status === "Failed" ? "failed" : "waiting";
  return {
    stage: "rollout",
    state,
    title: where,
    detail: health.message,
    items: await podsOf(kube, workload),
    ...optional("at", state === "done" ? rolledOutAt(workload) : undefined),
  };
}

import type { KubeClient } from "../kube/client.ts";
import type { KubeObject } from "../kube/objects.ts";
import { isReady } from "../runtime/conditions.ts";

type Node = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };

/** True when at least `count` nodes report the Ready condition. */
export async function nodesReady(client: KubeClient, count: number): Promise<boolean> {
  const nodes = await client.list<Node>("v1", "Node");
  const ready = nodes.items.filter((n) => isReady(n.status?.conditions));
  return ready.length >= count;
}

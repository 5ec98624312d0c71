// An environment with one real node: its start (new directory, and again on the same one), a
// Pod's start on the node with its image pulled from the environment's registry and then
// present, and dev down.
// Run: scripts/with-node.sh node bench/real-node.bench.ts [pods]
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { devDown, devUp } from "../src/dev/environment.ts";
import { KubeClient } from "../src/kube/client.ts";
import { loadKubeconfig } from "../src/kube/kubeconfig.ts";
import type { KubeObject } from "../src/kube/objects.ts";

const pods = Number(process.argv[2] ?? 5);
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
  const started = performance.now();
  return [await fn(), performance.now() - started];
};

function pod(name: string, image: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: {
      nodeSelector: { "sluice.dev/real-node": "true" },
      tolerations: [{ key: "sluice.dev/real-node", operator: "Exists" }],
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      containers: [{ name: "main", image, command: ["sleep", "3600"] }],
    },
  };
}

async function podStart(client: KubeClient, name: string, image: string): Promise<number> {
  const [, ms] = await timed(async () => {
    await client.create(pod(name, image));
    for (;;) {
      const p = await client.get<KubeObject & { status?: { phase?: string } }>("v1", "Pod", name, "default");
      if (p.status?.phase === "Running") return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  return ms;
}

const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-real-"));
try {
  const [{ env }, cold] = await timed(() => devUp({ dir, nodes: 1, realNodes: 1 }));
  const client = new KubeClient(await loadKubeconfig(env.kubeconfig));
  const pulled = await podStart(client, "pulled", "debian:bookworm");
  const present: number[] = [];
  for (let i = 0; i < pods; i++) present.push(await podStart(client, `present-${i}`, "debian:bookworm"));
  await client.close();
  const [, down] = await timed(() => devDown(dir));
  const [, warm] = await timed(() => devUp({ dir, nodes: 1, realNodes: 1 }));
  present.sort((a, b) => a - b);
  console.log(`dev up with a real node, new directory (images pushed too): ${fmt(cold)}`);
  console.log(`dev up again on the same directory:                       ${fmt(warm)}`);
  console.log(`Pod start, image pulled from the registry (debian, 29 MB): ${fmt(pulled)}`);
  console.log(
    `Pod start, image present (${pods} Pods):                       median ${fmt(present[Math.floor(pods / 2)]!)}, max ${fmt(present.at(-1)!)}`,
  );
  console.log(`dev down (containers, namespaces, mounts, bridges):       ${fmt(down)}`);
} finally {
  await devDown(dir, { purge: true });
}

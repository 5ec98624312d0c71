// The Kubernetes worker on an environment with one real node: a task run as a Pod, end to end
// (create, helpers start, inputs copied in, the task runs, outputs copied out, Pod deleted), for
// an empty task and for one whose 20 MB input it copies to its output.
// Run: scripts/with-node.sh node bench/task-pod.bench.ts [runs]
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PodWorker, type PodMount } from "../src/ci/pods/pod-worker.ts";
import { devDown, devUp } from "../src/dev/environment.ts";
import { KubeClient } from "../src/kube/client.ts";
import { loadKubeconfig } from "../src/kube/kubeconfig.ts";

const runs = Number(process.argv[2] ?? 5);
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-task-pod-"));
try {
  const { env } = await devUp({ dir, nodes: 1, realNodes: 1 });
  const client = new KubeClient(await loadKubeconfig(env.kubeconfig));
  await client.apply(
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "ci" } },
    { fieldManager: "bench" },
  );
  const worker = new PodWorker(client, {
    namespace: "ci",
    nodeSelector: { "sluice.dev/real-node": "true" },
    helperImage: "busybox:1.36",
  });
  const input = path.join(dir, "input");
  await mkdir(input);
  await writeFile(path.join(input, "blob"), randomBytes(20 * 1024 * 1024));
  const task = async (script: string, mountsIn: PodMount[], mountsOut: PodMount[]) => {
    const started = performance.now();
    const { exitCode } = await worker.run({
      pod: {
        name: `bench-${randomBytes(4).toString("hex")}`,
        labels: {},
        image: "busybox:1.36",
        command: ["sh", "-ec", script],
        env: {},
        workingDir: "/tmp/build/bench",
        privileged: false,
      },
      mountsIn,
      mountsOut,
      signal: AbortSignal.timeout(120_000),
      log: () => {},
    });
    if (exitCode !== 0) throw new Error(`the task exited with ${exitCode}`);
    return performance.now() - started;
  };
  const empty: number[] = [];
  const copying: number[] = [];
  for (let i = 0; i < runs; i++) {
    empty.push(await task("true", [], []));
    const output = path.join(dir, `output-${i}`);
    await mkdir(output);
    copying.push(await task("cp in/blob out/", [{ dir: input, path: "in" }], [{ dir: output, path: "out" }]));
  }
  await client.close();
  console.log(
    `task as a Pod, empty (${runs} runs):             median ${fmt(median(empty))}, max ${fmt(Math.max(...empty))}`,
  );
  console.log(
    `task as a Pod, 20 MB in and out (${runs} runs):  median ${fmt(median(copying))}, max ${fmt(Math.max(...copying))}`,
  );
} finally {
  await devDown(dir, { purge: true });
}

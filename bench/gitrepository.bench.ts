// 1000 GitRepository objects over 10 repositories against a `sluice server` process:
// time from creation until all are Ready, the server's CPU seconds and peak RSS, then the
// steady-state CPU when nothing changes (interval 1m).
// Run: scripts/with-node.sh node bench/gitrepository.bench.ts [objects] [repositories] [idleSeconds]
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { crds } from "../src/api/registry.ts";
import { devDown, devUp } from "../src/dev/environment.ts";
import { pushFiles } from "../src/dev/push-files.ts";
import { KubeClient } from "../src/kube/client.ts";
import { loadKubeconfig } from "../src/kube/kubeconfig.ts";
import { countReady, cpuSeconds, inBatches, peakRssMiB, spawnServer } from "./lib/measure.ts";
import type { KubeObject } from "../src/kube/objects.ts";

const objects = Number(process.argv[2] ?? 1000);
const repositories = Number(process.argv[3] ?? 10);
// longer than the 1m interval, so every object is requeued inside the window
const idleSeconds = Number(process.argv[4] ?? 90);
const ns = "bench";
const api = "source.toolkit.fluxcd.io/v1";

type Source = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };

async function readyCount(client: KubeClient): Promise<number> {
  const list = await client.list<Source>(api, "GitRepository", { namespace: ns });
  return countReady(list.items);
}

const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-gitrepo-"));
const { env } = await devUp({ dir, nodes: 1 });
const client = new KubeClient(await loadKubeconfig(env.kubeconfig), { connections: 32 });
let server: ReturnType<typeof spawnServer> | undefined;
try {
  for (const crd of crds) await client.apply(crd, { fieldManager: "bench", force: true });
  await sleep(2000);
  client.resetDiscovery();
  await client.apply(
    { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
    { fieldManager: "bench" },
  );
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "auth", namespace: ns },
      stringData: { username: env.gitUsername, password: env.gitPassword },
    },
    { fieldManager: "bench" },
  );
  const urls: string[] = [];
  for (let r = 0; r < repositories; r++) {
    const files = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [
        `apps/app-${i}/deploy.yaml`,
        `kind: ConfigMap\nname: app-${r}-${i}\n`,
      ]),
    );
    urls.push((await pushFiles(env, `bench/repo-${r}`, files)).url);
  }
  server = spawnServer(env.kubeconfig, path.join(dir, "storage"), ns, 8, ["gitrepository"]);
  const pid = server.pid!;
  await sleep(1500);
  const cpuBefore = await cpuSeconds(pid);
  const started = performance.now();
  await inBatches(
    Array.from({ length: objects }, (_, i) => i),
    25,
    (i) =>
      client.create({
        apiVersion: api,
        kind: "GitRepository",
        metadata: { name: `src-${i}`, namespace: ns },
        spec: {
          url: urls[i % repositories],
          interval: "1m",
          ref: { branch: "main" },
          secretRef: { name: "auth" },
        },
      }),
  );
  const created = performance.now() - started;
  let ready = 0;
  while ((ready = await readyCount(client)) < objects && performance.now() - started < 600_000)
    await sleep(250);
  const allReady = performance.now() - started;
  const cpuBusy = (await cpuSeconds(pid)) - cpuBefore;
  const rss = await peakRssMiB(pid);
  const idleStart = await cpuSeconds(pid);
  await sleep(idleSeconds * 1000);
  const idleCpu = ((await cpuSeconds(pid)) - idleStart) / idleSeconds;
  console.log(`GitRepository bench: ${objects} objects over ${repositories} repositories (2 cores)`);
  console.log(
    `  created in ${(created / 1000).toFixed(1)} s; ${ready}/${objects} Ready after ${(allReady / 1000).toFixed(1)} s (target < 30 s)`,
  );
  console.log(
    `  sluice server CPU (with its git children) until all Ready: ${cpuBusy.toFixed(1)} s; peak RSS ${rss.toFixed(0)} MiB (target < 150 MiB)`,
  );
  console.log(
    `  steady state over ${idleSeconds} s (interval 1m): ${(idleCpu * 100).toFixed(1)}% of one core (target < 5%)`,
  );
} finally {
  server?.kill("SIGTERM");
  await client.close();
  await devDown(dir, { purge: true });
  await rm(dir, { recursive: true, force: true });
}

// Flux's "mean time to production" benchmark (fluxcd/flux-benchmark) on Sluice: N Kustomizations
// from one GitRepository, each applying a Deployment, a Service and a ConfigMap, timed from creation
// until all are Ready, with the server's CPU seconds (its kustomize and git children included) and
// peak RSS; then the floor: the same objects applied by the plainest server-side-apply loop.
// Run: scripts/with-node.sh node bench/kustomization.bench.ts [N ...]   (default: 100 500 1000)
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import YAML from "yaml";
import { crds } from "../src/api/registry.ts";
import { devDown, devUp } from "../src/dev/environment.ts";
import type { DevEnv } from "../src/dev/env-file.ts";
import { pushFiles } from "../src/dev/push-files.ts";
import { readState } from "../src/dev/state.ts";
import { applyStaged } from "../src/kube/apply.ts";
import { KubeClient } from "../src/kube/client.ts";
import { loadKubeconfig } from "../src/kube/kubeconfig.ts";
import { countReady, cpuSeconds, inBatches, peakRssMiB, spawnServer } from "./lib/measure.ts";
import type { KubeObject } from "../src/kube/objects.ts";

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const runs = sizes.length ? sizes : [100, 500, 1000];
const concurrency = Number(process.env["BENCH_CONCURRENCY"] ?? 8);

function app(i: number): KubeObject[] {
  const name = `app-${i}`;
  const labels = { app: name };
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { index: String(i) } },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name },
      spec: { selector: labels, ports: [{ port: 80 }] },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: "app", image: "example/app:1" }] } },
      },
    },
  ];
}

type Ks = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };
async function readyCount(client: KubeClient, ns: string): Promise<number> {
  const list = await client.list<Ks>("kustomize.toolkit.fluxcd.io/v1", "Kustomization", { namespace: ns });
  return countReady(list.items);
}

/** CPU seconds of every process of the environment (API server, etcd, controllers, kwok, git…). */
async function environmentCpu(dir: string): Promise<number> {
  const state = await readState(dir);
  const cpu = await Promise.all((state?.processes ?? []).map((p) => cpuSeconds(p.pid).catch(() => 0)));
  return cpu.reduce((a, b) => a + b, 0);
}

async function sluiceRun(env: DevEnv, client: KubeClient, dir: string, n: number, url: string) {
  const ns = `bench-${n}`;
  await applyStaged(client, [{ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }], {
    fieldManager: "bench",
  });
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "auth", namespace: ns },
      stringData: { username: env.gitUsername, password: env.gitPassword },
    },
    { fieldManager: "bench" },
  );
  await client.apply(
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name: "apps", namespace: ns },
      spec: { url, interval: "1h", ref: { branch: "main" }, secretRef: { name: "auth" } },
    },
    { fieldManager: "bench" },
  );
  const server = spawnServer(env.kubeconfig, path.join(dir, "storage"), ns, concurrency, [
    "gitrepository",
    "kustomization",
  ]);
  try {
    await sleep(2000);
    const cpu0 = await cpuSeconds(server.pid!);
    const envCpu0 = await environmentCpu(dir);
    const started = performance.now();
    await inBatches(
      Array.from({ length: n }, (_, i) => i),
      25,
      (i) =>
        client.create({
          apiVersion: "kustomize.toolkit.fluxcd.io/v1",
          kind: "Kustomization",
          metadata: { name: `app-${i}`, namespace: ns },
          spec: {
            interval: "1h",
            sourceRef: { kind: "GitRepository", name: "apps" },
            path: `./apps/app-${i}`,
            prune: true,
            targetNamespace: ns,
          },
        }),
    );
    let ready = 0;
    while ((ready = await readyCount(client, ns)) < n && performance.now() - started < 900_000)
      await sleep(500);
    return {
      seconds: (performance.now() - started) / 1000,
      ready,
      cpu: (await cpuSeconds(server.pid!)) - cpu0,
      envCpu: (await environmentCpu(dir)) - envCpu0,
      rss: await peakRssMiB(server.pid!),
    };
  } finally {
    server.kill("SIGTERM");
  }
}

async function floorRun(client: KubeClient, n: number) {
  const ns = `floor-${n}`;
  await applyStaged(client, [{ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }], {
    fieldManager: "bench",
  });
  const started = performance.now();
  await inBatches(
    Array.from({ length: n }, (_, i) => i),
    concurrency,
    async (i) => {
      for (const obj of app(i))
        await client.apply(
          { ...obj, metadata: { ...obj.metadata, namespace: ns } },
          { fieldManager: "floor", force: true },
        );
    },
  );
  return (performance.now() - started) / 1000;
}

const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-ks-"));
const maxN = Math.max(...runs);
const { env } = await devUp({ dir, nodes: Math.ceil(maxN / 200) + 1 });
const client = new KubeClient(await loadKubeconfig(env.kubeconfig), { connections: 32 });
try {
  await applyStaged(client, [...crds], { fieldManager: "bench" });
  const files = Object.fromEntries(
    Array.from({ length: maxN }, (_, i) =>
      app(i).map((o) => [`apps/app-${i}/${o.kind.toLowerCase()}.yaml`, YAML.stringify(o)] as const),
    ).flat(),
  );
  const { url } = await pushFiles(env, "bench/apps", files);
  const rows: string[] = [];
  for (const n of runs) {
    const s = await sluiceRun(env, client, dir, n, url);
    const floor = await floorRun(client, n);
    rows.push(
      `${String(n).padStart(5)}  ${`${s.ready}/${n} in ${s.seconds.toFixed(1)} s`.padEnd(18)}  ${`${s.cpu.toFixed(1)} s`.padEnd(9)}  ${`${s.rss.toFixed(0)} MiB`.padEnd(9)}  ${`${floor.toFixed(1)} s`.padEnd(9)}  ${(s.seconds / floor).toFixed(2)}x      ${s.envCpu.toFixed(1)} s`,
    );
  }
  console.log(
    `Kustomization bench (2 cores, concurrency ${concurrency}; targets for 1000: < 60 s, < 250 MiB, within 1.5x of the floor)`,
  );
  console.log(
    "    N  all Ready           CPU        peak RSS   SSA floor  vs floor   environment CPU (API server, etcd, kube controllers, kwok)",
  );
  for (const row of rows) console.log(row);
} finally {
  await client.close();
  await devDown(dir, { purge: true });
  await rm(dir, { recursive: true, force: true });
}

// Push-to-applied latency through a webhook: `git push` to the dev git server, which sends a
// GitHub push event to a Receiver; the GitRepository fetches and its Kustomizations apply.
// Measured for 1 Kustomization and for N (default 200) on one repository, over P pushes.
// Run: scripts/with-node.sh node bench/webhook-latency.bench.ts [pushes] [kustomizations]
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import YAML from "yaml";
import { crds } from "../src/api/registry.ts";
import { devDown, devUp } from "../src/dev/environment.ts";
import { applyStaged } from "../src/kube/apply.ts";
import { createLogger } from "../src/runtime/logger.ts";
import { startServer } from "../src/server/server.ts";
import type { DevEnv } from "../src/dev/env-file.ts";
import { pushFiles } from "../src/dev/push-files.ts";
import { addWebhook } from "../src/dev/webhooks.ts";
import { KubeClient } from "../src/kube/client.ts";
import { loadKubeconfig } from "../src/kube/kubeconfig.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { inBatches } from "./lib/measure.ts";

const pushes = Number(process.argv[2] ?? 20);
const many = Number(process.argv[3] ?? 200);

type Ks = KubeObject & { status?: { lastAppliedRevision?: string } };
const configMap = (i: number, round: number) =>
  YAML.stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `cm-${i}` },
    data: { round: String(round) },
  });
const files = (n: number, round: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`apps/app-${i}/cm.yaml`, configMap(i, round)]));

async function scenario(env: DevEnv, client: KubeClient, receiverUrl: string, ns: string, n: number) {
  const meta = (name: string) => ({ name, namespace: ns });
  await client.apply(
    { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
    { fieldManager: "bench" },
  );
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta("auth"),
      stringData: { username: env.gitUsername, password: env.gitPassword },
    },
    { fieldManager: "bench" },
  );
  await client.apply(
    { apiVersion: "v1", kind: "Secret", metadata: meta("hook"), stringData: { token: `token-${ns}` } },
    { fieldManager: "bench" },
  );
  const repo = `bench/${ns}`;
  const { url } = await pushFiles(env, repo, files(n, 0));
  await client.apply(
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: meta("config"),
      spec: { url, interval: "1h", ref: { branch: "main" }, secretRef: { name: "auth" } },
    },
    { fieldManager: "bench" },
  );
  await inBatches(
    Array.from({ length: n }, (_, i) => i),
    25,
    (i) =>
      client.apply(
        {
          apiVersion: "kustomize.toolkit.fluxcd.io/v1",
          kind: "Kustomization",
          metadata: meta(`app-${i}`),
          spec: {
            interval: "1h",
            sourceRef: { kind: "GitRepository", name: "config" },
            path: `./apps/app-${i}`,
            prune: true,
            targetNamespace: ns,
          },
        },
        { fieldManager: "bench" },
      ),
  );
  await client.apply(
    {
      apiVersion: "notification.toolkit.fluxcd.io/v1",
      kind: "Receiver",
      metadata: meta("git"),
      spec: {
        type: "github",
        events: ["push"],
        secretRef: { name: "hook" },
        resources: [{ kind: "GitRepository", name: "config" }],
      },
    },
    { fieldManager: "bench" },
  );
  let hookPath: string | undefined;
  while (
    !(hookPath = (
      await client.get<KubeObject & { status?: { webhookPath?: string } }>(
        "notification.toolkit.fluxcd.io/v1",
        "Receiver",
        "git",
        ns,
      )
    ).status?.webhookPath)
  )
    await sleep(100);
  await addWebhook(env.dir, {
    url: `${receiverUrl}${hookPath}`,
    type: "github",
    token: `token-${ns}`,
  });
  const appliedAll = async (sha: string) => {
    const list = await client.list<Ks>("kustomize.toolkit.fluxcd.io/v1", "Kustomization", { namespace: ns });
    return list.items.filter((k) => k.status?.lastAppliedRevision?.endsWith(sha)).length;
  };
  const firstApplied: number[] = [];
  const allApplied: number[] = [];
  for (let round = 1; round <= pushes; round++) {
    const started = Date.now();
    const { sha } = await pushFiles(env, repo, files(n, round));
    let first = 0;
    for (;;) {
      const done = await appliedAll(sha);
      if (done > 0 && !first) first = Date.now() - started;
      if (done === n) break;
      if (Date.now() - started > 120_000) throw new Error(`round ${round}: ${done}/${n} applied after 120 s`);
      await sleep(25);
    }
    firstApplied.push(first);
    allApplied.push(Date.now() - started);
  }
  return { firstApplied, allApplied };
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-webhook-"));
const { env } = await devUp({ dir, nodes: 1 });
const client = new KubeClient(await loadKubeconfig(env.kubeconfig), { connections: 32 });
const stop = new AbortController();
await applyStaged(client, [...crds], { fieldManager: "bench" });
const server = await startServer(
  {
    access: await loadKubeconfig(env.kubeconfig),
    controllers: ["gitrepository", "kustomization", "receiver"],
    concurrency: 16,
    storagePath: path.join(dir, "storage"),
    artifacts: { listen: { host: "127.0.0.1", port: 0 } },
    health: { host: "127.0.0.1", port: 0 },
    receivers: { listen: { host: "127.0.0.1", port: 0 } },
    logger: createLogger({ level: "warn" }),
  },
  stop.signal,
);
try {
  const one = await scenario(env, client, server.receiverUrl!, "hook-one", 1);
  const lots = await scenario(env, client, server.receiverUrl!, "hook-many", many);
  console.log(
    `git push -> applied through a webhook Receiver, ${pushes} pushes (2 cores; sluice server in-process):`,
  );
  console.log(
    `  1 Kustomization:        p50 ${s(pct(one.allApplied, 50))}  p99 ${s(pct(one.allApplied, 99))}   (targets p50 < 1 s, p99 < 3 s)`,
  );
  console.log(
    `  ${many} Kustomizations, first applied: p50 ${s(pct(lots.firstApplied, 50))}  p99 ${s(pct(lots.firstApplied, 99))}`,
  );
  console.log(
    `  ${many} Kustomizations, all applied:   p50 ${s(pct(lots.allApplied, 50))}  p99 ${s(pct(lots.allApplied, 99))}   (target: all within 10 s)`,
  );
} finally {
  stop.abort();
  await server.done;
  await client.close();
  await devDown(dir, { purge: true });
  await rm(dir, { recursive: true, force: true });
}

// The web UI's home page over 1,000 pipelines (2 jobs each, a finished build of each) and 1,000
// Kustomizations: the compressed payload of its three requests (target < 200 KB), their server
// time, and the render in Debian's chromium: a load of the page (logged in) to its first screen
// (target < 300 ms), and "show all" to every card. A fresh environment is started and removed.
// Run: scripts/with-node.sh node bench/ui-load.bench.ts [pipelines] [kustomizations]
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { crds } from "../src/api/registry.ts";
import { CiClient } from "../src/ci/api/index.ts";
import { SqlCiStore } from "../src/ci/store/index.ts";
import { devDown, devUp } from "../src/dev/environment.ts";
import { installCrds } from "../src/install/apply.ts";
import { KubeClient } from "../src/kube/client.ts";
import { loadKubeconfig } from "../src/kube/kubeconfig.ts";
import { ciHttpServer, noEngine } from "../src/server/ci-http.ts";

const pipelineCount = Number(process.argv[2] ?? 1000);
const kustomizationCount = Number(process.argv[3] ?? 1000);
const yaml = `resources:
  - { name: repo, type: time, source: { interval: 1h } }
jobs:
  - { name: unit, plan: [{ get: repo, trigger: true }] }
  - { name: deploy, plan: [{ get: repo, passed: [unit] }] }
`;

const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-ui-"));
const { env } = await devUp({ dir: path.join(dir, "env"), nodes: 1 });
const kube = new KubeClient(await loadKubeconfig(env.kubeconfig));
const store = await SqlCiStore.openSqlite({ dataDir: path.join(dir, "ci") });
const password = randomBytes(9).toString("hex");
const server = await ciHttpServer(
  { store, engine: noEngine },
  {
    listen: { host: "127.0.0.1", port: 0 },
    storagePath: dir,
    localUsers: [{ name: "bench", password }],
    version: "bench",
    kube,
  },
);
try {
  await server.listen();
  await fill();
  const client = await CiClient.login(server.url, "bench", password);
  const token = client.token!;
  for (const route of ["/api/v1/pipelines", "/api/v1/jobs", "/api/v1/cd/objects"]) {
    const times: number[] = [];
    let text = "";
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      text = await (
        await fetch(`${server.url}${route}`, { headers: { Authorization: `Bearer ${token}` } })
      ).text();
      times.push(performance.now() - started);
    }
    const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
    console.log(
      `  ${route}: ${kb(Buffer.byteLength(text))} as JSON, ${kb(gzipSync(text).length)} gzipped; median ${times.sort((a, b) => a - b)[2]!.toFixed(0)} ms`,
    );
  }
  const render = await firstRender(server.url, password);
  console.log(
    `  render: a page load to the first screen ${render.first.toFixed(0)} ms (target < 300 ms); "show all" to every card ${render.all.toFixed(0)} ms`,
  );
} finally {
  await server.close();
  await store.close();
  await kube.close();
  await devDown(path.join(dir, "env"), { purge: true });
  await rm(dir, { recursive: true, force: true });
}

async function fill(): Promise<void> {
  const started = performance.now();
  const client = await CiClient.login(server.url, "bench", password);
  for (let i = 0; i < pipelineCount; i++) {
    const name = `p-${String(i).padStart(4, "0")}`;
    await client.setConfig("main", name, yaml, 0);
    const pipeline = (await store.getPipeline({ team: "main", name }))!;
    for (const job of await store.listJobs(pipeline.id)) {
      const build = await store.createJobBuild({ jobId: job.id, started: true });
      await store.finishBuild(build.id, i % 10 === 0 ? "failed" : "succeeded", Date.now());
    }
  }
  await installCrds(kube, crds);
  const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "bench-ui" } };
  await kube.apply(namespace, { fieldManager: "bench" });
  for (let i = 0; i < kustomizationCount; i++) {
    await kube.apply(
      {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: `k-${String(i).padStart(4, "0")}`, namespace: "bench-ui" },
        spec: { interval: "10m", path: "./", prune: true, sourceRef: { kind: "GitRepository", name: "app" } },
      },
      { fieldManager: "bench" },
    );
  }
  console.log(
    `ui load: ${pipelineCount} pipelines, ${kustomizationCount} Kustomizations (filled in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
}

async function firstRender(url: string, password: string): Promise<{ first: number; all: number }> {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage({ baseURL: url });
    await page.goto("/login");
    await page.getByLabel("Username").fill("bench");
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.locator(".card").first().waitFor({ timeout: 120_000 });
    // a page load while logged in: the assets cached, the three lists fetched, a screenful drawn
    const started = performance.now();
    await page.reload();
    await page.locator(".card").first().waitFor({ timeout: 120_000 });
    const first = performance.now() - started;
    const showAll = performance.now();
    await page.getByRole("button", { name: /^Show all/ }).click();
    await page
      .locator(".card")
      .nth(pipelineCount + kustomizationCount - 1)
      .waitFor({ timeout: 120_000 });
    return { first, all: performance.now() - showAll };
  } finally {
    await browser.close();
  }
}

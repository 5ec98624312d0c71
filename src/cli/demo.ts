import type { Command } from "commander";
import YAML from "yaml";
import { defaultDevDir } from "../dev/env-file.ts";
import { devUp } from "../dev/environment.ts";
import { pushFiles } from "../dev/push-files.ts";
import { KubeClient } from "../kube/client.ts";
import { loadKubeconfig } from "../kube/kubeconfig.ts";
import type { KubeObject } from "../kube/objects.ts";
import { generateImage, pushImage } from "../oci/image.ts";
import { RegistryClient } from "../oci/registry-client.ts";
import { setTimeout as sleep } from "node:timers/promises";
import { SluiceError } from "./errors.ts";

const say = (m: string) => process.stdout.write(`${m}\n`);

function webDeployment(image: string): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "demo" },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image }] } },
    },
  };
}

type Deployment = KubeObject & { status?: { availableReplicas?: number } };

async function waitAvailable(client: KubeClient, replicas: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 60_000) {
    const d = await client.get<Deployment>("apps/v1", "Deployment", "web", "demo");
    if ((d.status?.availableReplicas ?? 0) >= replicas) return Date.now() - started;
    await sleep(200);
  }
  throw new SluiceError("the demo Deployment did not become Available within 60s", {
    hint: "look at 'sluice dev status' and the logs",
  });
}

/** The main job, end to end on the local environment. */
async function runDemo(dir: string): Promise<void> {
  say("1/4 starting the local environment (Kubernetes + kwok nodes, registry, git server)");
  const { env } = await devUp({ dir, nodes: 3 });
  say(`    kubeconfig ${env.kubeconfig}`);

  say("2/4 building and pushing image demo/web:1.0.0 (daemonless)");
  const registry = new RegistryClient({ host: env.registry, insecure: true });
  const { digest } = await pushImage(
    registry,
    "demo/web",
    ["1.0.0"],
    generateImage({ files: { "index.html": "<h1>hello from sluice</h1>\n" } }),
  );
  await registry.close();
  const image = `${env.registry}/demo/web:1.0.0`;
  say(`    ${image} (${digest})`);

  say("3/4 committing the app's manifests to the config repository");
  const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } };
  const manifests = [namespace, webDeployment(image)].map((o) => YAML.stringify(o)).join("---\n");
  const { url, sha } = await pushFiles(
    env,
    "demo/config",
    { "apps/web/manifests.yaml": manifests },
    { message: "deploy web 1.0.0" },
  );
  say(`    ${url} @ ${sha.slice(0, 12)}`);

  say("4/4 applying with server-side apply and waiting for the rollout");
  const client = new KubeClient(await loadKubeconfig(env.kubeconfig));
  try {
    for (const doc of YAML.parseAllDocuments(manifests))
      await client.apply(doc.toJS() as KubeObject, { fieldManager: "sluice-demo", force: true });
    const ms = await waitAvailable(client, 3);
    say(`    deployment demo/web: 3/3 available after ${(ms / 1000).toFixed(1)}s on kwok nodes`);
  } finally {
    await client.close();
  }
  say(`\ndone. try: ${env.kubectl} --kubeconfig ${env.kubeconfig} -n demo get deploy,pods -o wide`);
  say("stop everything with: bin/sluice dev down");
}

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("start the local environment and run the main job end to end")
    .option("--dir <dir>", "environment directory", defaultDevDir)
    .action((opts: { dir: string }) => runDemo(opts.dir));
}

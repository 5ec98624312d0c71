import type { Command } from "commander";
import { setTimeout as sleep } from "node:timers/promises";
import YAML from "yaml";
import { defaultDevDir, type DevEnv } from "../dev/env-file.ts";
import { devUp } from "../dev/environment.ts";
import { pushFiles } from "../dev/push-files.ts";
import { KubeClient } from "../kube/client.ts";
import { computeHealth } from "../kube/health.ts";
import { loadKubeconfig } from "../kube/kubeconfig.ts";
import type { KubeObject } from "../kube/objects.ts";
import { generateImage, pushImage } from "../oci/image.ts";
import { RegistryClient } from "../oci/registry-client.ts";
import { SluiceError } from "./errors.ts";

const say = (m: string) => process.stdout.write(`${m}\n`);
const ns = "demo";

function manifests(image: string): string {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image }] } },
    },
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web" },
    spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
  };
  return [deployment, service].map((o) => YAML.stringify(o)).join("---\n");
}

async function pushWebImage(env: DevEnv, tag: string): Promise<string> {
  const registry = new RegistryClient({ host: env.registry, insecure: true });
  try {
    const files = { "index.html": `<h1>hello from sluice ${tag}</h1>\n` };
    await pushImage(registry, "demo/web", [tag], generateImage({ files }));
  } finally {
    await registry.close();
  }
  return `${env.registry}/demo/web:${tag}`;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new SluiceError(`demo: ${what} did not happen within ${timeoutMs / 1000}s`, {
        hint: "look at 'bin/sluice dev status' and .sluice/dev/logs/sluice-server.log",
      });
    await sleep(200);
  }
}

type Ks = KubeObject & {
  status?: { lastAppliedRevision?: string; conditions?: { type: string; status: string; message: string }[] };
};

async function appliedRevision(client: KubeClient): Promise<string | undefined> {
  const ks = await client.get<Ks>("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "web", ns);
  const ready = ks.status?.conditions?.find((c) => c.type === "Ready");
  return ready?.status === "True" ? ks.status?.lastAppliedRevision : undefined;
}

async function rolledOutWith(client: KubeClient, image: string): Promise<true | undefined> {
  const d = await client.get<
    KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } }
  >("apps/v1", "Deployment", "web", ns);
  return d.spec.template.spec.containers[0]?.image === image && computeHealth(d).status === "Current"
    ? true
    : undefined;
}

async function declareDelivery(client: KubeClient, env: DevEnv, url: string): Promise<void> {
  await client.apply(
    { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } },
    { fieldManager: "sluice-demo" },
  );
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "git-auth", namespace: ns },
      stringData: { username: env.gitUsername, password: env.gitPassword },
    },
    { fieldManager: "sluice-demo" },
  );
  const source = {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "config", namespace: ns },
    spec: { url, interval: "1m", ref: { branch: "main" }, secretRef: { name: "git-auth" } },
  };
  const ks = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "web", namespace: ns },
    spec: {
      interval: "5m",
      sourceRef: { kind: "GitRepository", name: "config" },
      path: "./apps/web",
      prune: true,
      wait: true,
      timeout: "2m",
      targetNamespace: ns,
    },
  };
  for (const obj of [source, ks]) await client.apply(obj, { fieldManager: "sluice-demo", force: true });
}

/** The main job on the local environment: image → git → GitRepository → Kustomization → rollout, twice. */
async function runDemo(dir: string): Promise<void> {
  say("1/5 starting the local environment and sluice server (Kubernetes + kwok nodes, registry, git server)");
  const { env } = await devUp({ dir, nodes: 3, server: true });
  say(`    kubeconfig ${env.kubeconfig}`);
  const client = new KubeClient(await loadKubeconfig(env.kubeconfig));
  try {
    say("2/5 building and pushing image demo/web:1.0.0 (daemonless)");
    const v1 = await pushWebImage(env, "1.0.0");
    say("3/5 committing the app's manifests to the config repository");
    const first = await pushFiles(
      env,
      "demo/config",
      { "apps/web/app.yaml": manifests(v1) },
      { message: "deploy web 1.0.0", replace: true },
    );
    say(`    ${first.url} @ ${first.sha.slice(0, 12)}`);
    say("4/5 declaring a GitRepository and a Kustomization; waiting until the cluster converges");
    await declareDelivery(client, env, first.url);
    const revision = await until("the first revision to be applied", () => appliedRevision(client));
    await until("the rollout of 1.0.0", () => rolledOutWith(client, v1));
    say(`    applied ${revision}: deployment demo/web 3/3 available on kwok nodes`);

    say("5/5 shipping 1.1.0: new image, a commit, and the cluster follows");
    const v2 = await pushWebImage(env, "1.1.0");
    const started = Date.now();
    const second = await pushFiles(
      env,
      "demo/config",
      { "apps/web/app.yaml": manifests(v2) },
      { message: "deploy web 1.1.0", replace: true },
    );
    await client.patch(
      { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", name: "config", namespace: ns },
      { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": new Date().toISOString() } } },
    );
    await until("the rollout of 1.1.0", () => rolledOutWith(client, v2));
    say(
      `    commit ${second.sha.slice(0, 12)} rolled out in ${((Date.now() - started) / 1000).toFixed(1)}s from git push to 3/3 available`,
    );
  } finally {
    await client.close();
  }
  say(
    `\ndone. try: ${env.kubectl} --kubeconfig ${env.kubeconfig} -n ${ns} get gitrepositories,kustomizations,deploy,pods`,
  );
  say("stop everything with: bin/sluice dev down");
}

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("start the local environment and run the main job end to end")
    .option("--dir <dir>", "environment directory", defaultDevDir)
    .action((opts: { dir: string }) => runDemo(opts.dir));
}

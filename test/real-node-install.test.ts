import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { fluxApiVersions } from "../src/api/kinds.ts";
import type { DevEnv } from "../src/dev/env-file.ts";
import { pushFiles } from "../src/dev/push-files.ts";
import { pushSluiceImage } from "../src/dev/sluice-image.ts";
import { applyInstall, waitForDeployment } from "../src/install/apply.ts";
import { defaultImage, installObjects, serverName } from "../src/install/manifests.ts";
import { sluiceVersion } from "../src/install/version.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { realNodeEnv } from "./helpers/real-nodes.ts";
import { waitFor } from "./helpers/wait.ts";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { clone } from "../src/git/repository.ts";
import type { KubeClient } from "../src/kube/client.ts";
import { bootstrapGit, expectExit } from "./helpers/cli.ts";

type PodTemplate = {
  spec: { template: { spec: { nodeSelector?: Record<string, string>; tolerations?: unknown[] } } };
};

/** The install's Deployment placed on the real node; the rest as `sluice install` writes it. */
function onRealNode(deployment: KubeObject): KubeObject {
  const d = structuredClone(deployment) as KubeObject & PodTemplate;
  d.spec.template.spec.nodeSelector = { "sluice.dev/real-node": "true" };
  d.spec.template.spec.tolerations = [{ key: "sluice.dev/real-node", operator: "Exists" }];
  return d;
}

test("Sluice's own image runs in-cluster as a Pod on a real node, reaching the API server through the kubernetes Service and its artifacts by DNS, and reconciles a GitRepository and a Kustomization", async (t) => {
  const { env, client } = await realNodeEnv(t, "sluice-incluster-");
  await pushSluiceImage({ ...env, imageMirror: env.imageMirror! });

  const namespace = "sluice-system";
  const objects = installObjects({
    namespace,
    image: defaultImage(await sluiceVersion()), // ghcr.io's name, pulled through the environment's mirror
    controllers: ["gitrepository", "kustomization"],
    version: await sluiceVersion(),
  });
  objects.components = objects.components.map((o) => (o.kind === "Deployment" ? onRealNode(o) : o));
  await applyInstall(client, objects, { timeoutMs: 60_000 });
  await waitForDeployment(client, serverName, namespace, 180_000);
  const [pod] = (await client.list<KubeObject & { spec: { nodeName?: string } }>("v1", "Pod", { namespace }))
    .items;
  assert.equal(pod?.spec.nodeName, "real-0");

  const app = await pushFiles(env, "apps/incluster", {
    "settings.yaml":
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings, namespace: default }\ndata: { color: teal }\n",
  });
  // the git server as the Pod reaches it: relayed on this machine's address on the nodes' bridge
  const url = new URL(app.url);
  url.hostname = env.podReachableHost!;
  const meta = { name: "apps", namespace };
  const apply = (obj: KubeObject) => client.apply(obj, { fieldManager: "test", force: true });
  await apply({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "git", namespace },
    stringData: { username: env.gitUsername, password: env.gitPassword },
  });
  await apply({
    apiVersion: fluxApiVersions.GitRepository,
    kind: "GitRepository",
    metadata: meta,
    spec: { url: url.toString(), interval: "1m", ref: { branch: "main" }, secretRef: { name: "git" } },
  });
  await apply({
    apiVersion: fluxApiVersions.Kustomization,
    kind: "Kustomization",
    metadata: meta,
    spec: { interval: "1m", sourceRef: { kind: "GitRepository", name: "apps" }, path: "./", prune: true },
  });
  const applied = await waitFor(
    "the in-cluster server to apply the ConfigMap",
    () =>
      client
        .get<KubeObject & { data?: Record<string, string> }>("v1", "ConfigMap", "settings", "default")
        .catch(() => undefined),
    {
      timeoutMs: 120_000,
      describe: async () => {
        const status = (await client.get(fluxApiVersions.Kustomization, "Kustomization", "apps", namespace))[
          "status"
        ];
        const log = await client.request<string>(
          "GET",
          `/api/v1/namespaces/${namespace}/pods/${pod.metadata.name}/log?tailLines=30`,
        );
        return `${JSON.stringify(status)}\nthe server's log:\n${log}`;
      },
    },
  );
  assert.equal(applied.data?.["color"], "teal");
  assert.equal(applied.metadata.labels?.["kustomize.toolkit.fluxcd.io/name"], "apps");
});

// in this file, after the test above: both build Sluice's image with the builder's one shared state
type Pod = KubeObject & { spec: { nodeName?: string }; status?: { phase?: string } };
type Deployment = KubeObject & { spec: { template: { spec: { containers: { args: string[] }[] } } } };
type ConfigMap = KubeObject & { data?: Record<string, string> };

const fleet = "fleet/self";
const componentsPath = "clusters/demo/flux-system/gotk-components.yaml";
const configMap = (v: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\ndata:\n  v: "${v}"\n`;

/** An environment whose only node is real (no kwok node), with Sluice's image in its registry. */
async function realOnlyEnv(t: TestContext) {
  const { env, client, dir } = await realNodeEnv(t, "sluice-self-managing-", 0);
  await pushSluiceImage({ ...env, imageMirror: env.imageMirror! });
  return { env, client, dir };
}

/** `sluice bootstrap git` of the fleet repository as the Pod reaches it (this machine reaches it there too). */
async function bootstrapFleet(env: DevEnv, repositoryUrl: string) {
  const url = new URL(repositoryUrl);
  url.hostname = env.podReachableHost!;
  const placement = ["--toleration-keys", "sluice.dev/real-node"];
  return bootstrapGit(env, url.toString(), ["--kubeconfig", env.kubeconfig, ...placement, "--timeout", "4m"]);
}

/** Commits `files` to the fleet, asks for a fetch now, and waits until the ConfigMap holds `v`. */
async function commitAndWait(env: DevEnv, client: KubeClient, files: Record<string, string>, v: string) {
  await pushFiles(env, fleet, files);
  await client.patch(
    {
      apiVersion: fluxApiVersions.GitRepository,
      kind: "GitRepository",
      name: "flux-system",
      namespace: "flux-system",
    },
    { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": String(Date.now()) } } },
  );
  const applied = async () => {
    const cm = await client.get<ConfigMap>("v1", "ConfigMap", "app", "default").catch(() => undefined);
    return cm?.data?.["v"] === v ? cm : undefined;
  };
  return waitFor(`the in-cluster server to apply v=${v}`, applied, { timeoutMs: 180_000 });
}

test("bootstrap on a cluster whose only node is real: Sluice runs in-cluster and manages itself — commits are applied by it, and a committed change to its own components upgrades it", async (t) => {
  const { env, client, dir } = await realOnlyEnv(t);
  const first = await pushFiles(env, fleet, { "README.md": "fleet\n" });
  // bootstrap waits until the flux-system Kustomization applied its commit: only the Pod runs a server
  expectExit(
    await bootstrapFleet(env, first.url),
    0,
    /✔ bootstrap finished: the cluster syncs itself from git/,
  );
  const servers = await client.list<Pod>("v1", "Pod", {
    namespace: "flux-system",
    labelSelector: "app=sluice-server",
  });
  assert.deepEqual(
    servers.items.map((p) => [p.spec.nodeName, p.status?.phase]),
    [["real-0", "Running"]],
  );
  const applied = await commitAndWait(env, client, { "clusters/demo/app.yaml": configMap("1") }, "1");
  assert.equal(applied.metadata.labels?.["kustomize.toolkit.fluxcd.io/name"], "flux-system");

  // upgrading is committing new components: the server applies its own Deployment, and the new Pod carries on
  const work = path.join(dir, "fleet-clone");
  await clone(first.url, work, {
    credentials: { username: env.gitUsername, password: env.gitPassword },
    branch: "main",
  });
  const components = await readFile(path.join(work, componentsPath), "utf8");
  assert.match(components, /--log-level=info/);
  const upgrade = { [componentsPath]: components.replace("--log-level=info", "--log-level=debug") };
  await commitAndWait(env, client, { ...upgrade, "clusters/demo/app.yaml": configMap("2") }, "2");
  // the ConfigMap and the Deployment are applied one after the other: wait for the second too
  const upgraded = async () => {
    const d = await client.get<Deployment>("apps/v1", "Deployment", serverName, "flux-system");
    return d.spec.template.spec.containers[0]?.args.includes("--log-level=debug") ? d : undefined;
  };
  await waitFor("the server's Deployment to carry the committed change", upgraded, { timeoutMs: 120_000 });
  await waitForDeployment(client, serverName, "flux-system", 180_000);
  await commitAndWait(env, client, { "clusters/demo/app.yaml": configMap("3") }, "3");
});

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { devDown, devUp } from "../src/dev/environment.ts";
import { pushFiles } from "../src/dev/push-files.ts";
import { pushSluiceImage } from "../src/dev/sluice-image.ts";
import { clone } from "../src/git/repository.ts";
import { waitForDeployment } from "../src/install/apply.ts";
import { serverName } from "../src/install/manifests.ts";
import { KubeClient } from "../src/kube/client.ts";
import { loadKubeconfig } from "../src/kube/kubeconfig.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { expectExit, run } from "./helpers/cli.ts";
import { waitFor } from "./helpers/wait.ts";

type Pod = KubeObject & { spec: { nodeName?: string }; status?: { phase?: string } };
type Deployment = KubeObject & { spec: { template: { spec: { containers: { args: string[] }[] } } } };

test("bootstrap on a cluster whose only node is real: Sluice runs in-cluster and manages itself — commits are applied by it, and a committed change to its own components upgrades it", async (t) => {
  // no kwok node: the server's Pod can only land on the real one, whose taint it is told to tolerate
  const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-self-managing-"));
  t.after(async () => {
    await devDown(dir);
    await rm(dir, { recursive: true, force: true });
  });
  const { env } = await devUp({ dir, nodes: 0, realNodes: 1 });
  const client = new KubeClient(await loadKubeconfig(env.kubeconfig));
  t.after(() => client.close());
  await pushSluiceImage({ ...env, imageMirror: env.imageMirror! });

  const fleet = "fleet/self";
  const first = await pushFiles(env, fleet, { "README.md": "fleet\n" });
  // the repository as the Pod reaches it; this machine reaches it there too
  const url = new URL(first.url);
  url.hostname = env.podReachableHost!;
  const credentials = { username: env.gitUsername, password: env.gitPassword };
  const bootstrap = await run([
    ...[
      "bootstrap",
      "git",
      "--kubeconfig",
      env.kubeconfig,
      "--url",
      url.toString(),
      "--path",
      "clusters/demo",
    ],
    ...[
      "-u",
      env.gitUsername,
      "-p",
      env.gitPassword,
      "--toleration-keys",
      "sluice.dev/real-node",
      "--timeout",
      "4m",
    ],
  ]);
  // bootstrap waits until the flux-system Kustomization applied its commit: only the Pod runs a server
  expectExit(bootstrap, 0, /✔ bootstrap finished: the cluster syncs itself from git/);
  const servers = await client.list<Pod>("v1", "Pod", {
    namespace: "flux-system",
    labelSelector: "app=sluice-server",
  });
  assert.deepEqual(
    servers.items.map((p) => [p.spec.nodeName, p.status?.phase]),
    [["real-0", "Running"]],
  );

  const reconcileNow = () =>
    client.patch(
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        name: "flux-system",
        namespace: "flux-system",
      },
      { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": String(Date.now()) } } },
    );
  const configMap = (v: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: default\ndata:\n  v: "${v}"\n`;
  const appliedValue = (v: string) => async () => {
    const cm = await client.get<KubeObject & { data?: Record<string, string> }>(
      "v1",
      "ConfigMap",
      "app",
      "default",
    );
    return cm.data?.["v"] === v ? cm : undefined;
  };
  await pushFiles(env, fleet, { "clusters/demo/app.yaml": configMap("1") });
  await reconcileNow();
  const applied = await waitFor("the in-cluster server to apply the committed ConfigMap", appliedValue("1"), {
    timeoutMs: 120_000,
  });
  assert.equal(applied.metadata.labels?.["kustomize.toolkit.fluxcd.io/name"], "flux-system");

  // upgrading is committing new components: the server applies its own Deployment, and the new Pod carries on
  const work = await mkdtemp(path.join(os.tmpdir(), "sluice-self-managing-clone-"));
  t.after(() => rm(work, { recursive: true, force: true }));
  await clone(first.url, work, { credentials, branch: "main" });
  const componentsPath = "clusters/demo/flux-system/gotk-components.yaml";
  const components = await readFile(path.join(work, componentsPath), "utf8");
  assert.match(components, /--log-level=info/);
  await pushFiles(env, fleet, {
    [componentsPath]: components.replace("--log-level=info", "--log-level=debug"),
    "clusters/demo/app.yaml": configMap("2"),
  });
  await reconcileNow();
  await waitFor(
    "the server's Deployment to carry the committed change",
    async () => {
      const d = await client.get<Deployment>("apps/v1", "Deployment", serverName, "flux-system");
      return d.spec.template.spec.containers[0]?.args.includes("--log-level=debug") ? d : undefined;
    },
    { timeoutMs: 120_000 },
  );
  await waitForDeployment(client, serverName, "flux-system", 180_000);
  await pushFiles(env, fleet, { "clusters/demo/app.yaml": configMap("3") });
  await reconcileNow();
  await waitFor("the upgraded server to apply the next commit", appliedValue("3"), { timeoutMs: 120_000 });
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { fluxApiVersions } from "../src/api/kinds.ts";
import { pushFiles } from "../src/dev/push-files.ts";
import { pushSluiceImage } from "../src/dev/sluice-image.ts";
import { applyInstall, waitForDeployment } from "../src/install/apply.ts";
import { defaultImage, installObjects, serverName } from "../src/install/manifests.ts";
import { sluiceVersion } from "../src/install/version.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { realNodeEnv } from "./helpers/real-nodes.ts";
import { waitFor } from "./helpers/wait.ts";

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

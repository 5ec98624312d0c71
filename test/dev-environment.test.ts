import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { promisify } from "node:util";
import { pinnedVersions } from "../src/common/toolchain.ts";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { testEnv } from "./helpers/env.ts";
import { adminClient, serviceAccountToken, testNamespace } from "./helpers/kube.ts";
import { waitFor } from "./helpers/wait.ts";

const run = promisify(execFile);

type Deployment = KubeObject & {
  spec: { replicas: number; template: { spec: { containers: { name: string; image: string }[] } } };
  status?: {
    availableReplicas?: number;
    updatedReplicas?: number;
    replicas?: number;
    observedGeneration?: number;
    conditions?: { type: string; status: string }[];
  };
};
type Pod = KubeObject & {
  spec: { nodeName?: string; containers: { image: string }[] };
  status?: { phase?: string };
};

function deployment(namespace: string, image: string): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image }] } },
    } as Deployment["spec"],
  };
}

async function rolledOut(client: KubeClient, namespace: string, image: string): Promise<Pod[] | undefined> {
  const d = await client.get<Deployment>("apps/v1", "Deployment", "web", namespace);
  const s = d.status ?? {};
  const done =
    s.observedGeneration === d.metadata.generation &&
    s.updatedReplicas === 3 &&
    s.availableReplicas === 3 &&
    s.replicas === 3 &&
    s.conditions?.some((c) => c.type === "Available" && c.status === "True");
  if (!done) return undefined;
  const pods = (await client.list<Pod>("v1", "Pod", { namespace, labelSelector: "app=web" })).items.filter(
    (p) => !p.metadata.deletionTimestamp,
  );
  return pods.length === 3 &&
    pods.every((p) => p.status?.phase === "Running" && p.spec.containers[0]?.image === image)
    ? pods
    : undefined;
}

const describeDeployment = (client: KubeClient, namespace: string) => async () =>
  JSON.stringify((await client.get<Deployment>("apps/v1", "Deployment", "web", namespace)).status);

test("a 3-replica Deployment becomes Available on kwok nodes and rolls out a new image tag", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "deploy");
  await client.apply(deployment(ns, "registry.example/web:1.0.0"), { fieldManager: "test" });
  const pods = await waitFor(
    "3 Running pods of web:1.0.0",
    () => rolledOut(client, ns, "registry.example/web:1.0.0"),
    {
      describe: describeDeployment(client, ns),
    },
  );
  const nodes = new Set(pods.map((p) => p.spec.nodeName));
  assert.ok(
    [...nodes].every((n) => n?.startsWith("kwok-node-")),
    `pods run on kwok nodes: ${[...nodes].join(",")}`,
  );

  await client.apply(deployment(ns, "registry.example/web:1.1.0"), { fieldManager: "test" });
  const updated = await waitFor(
    "rollout to web:1.1.0",
    () => rolledOut(client, ns, "registry.example/web:1.1.0"),
    {
      describe: describeDeployment(client, ns),
    },
  );
  assert.equal(updated.length, 3);
  const replicaSets = await client.list("apps/v1", "ReplicaSet", { namespace: ns });
  assert.equal(replicaSets.items.length, 2, "the rolling update created a second ReplicaSet");
});

test("the API server and kubectl report the pinned Kubernetes release", async (t) => {
  const env = await testEnv();
  const { K8S_VERSION } = await pinnedVersions();
  const client = await adminClient(t);
  const version = await client.request<{ gitVersion: string }>("GET", "/version");
  assert.equal(version.gitVersion, K8S_VERSION);
  const { stdout } = await run(env.kubectl, ["--kubeconfig", env.kubeconfig, "version", "-o", "json"]);
  const parsed = JSON.parse(stdout) as {
    clientVersion: { gitVersion: string };
    serverVersion: { gitVersion: string };
  };
  assert.equal(parsed.clientVersion.gitVersion, K8S_VERSION);
  assert.equal(parsed.serverVersion.gitVersion, K8S_VERSION);
});

test("RBAC is enforced and service-account tokens are issued", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "rbac");
  const token = await serviceAccountToken(client, ns, "reader");
  assert.ok(token.length > 20);
  const review = await client.create<KubeObject>({
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    metadata: {},
    spec: {
      user: `system:serviceaccount:${ns}:reader`,
      resourceAttributes: { namespace: ns, verb: "list", resource: "secrets" },
    },
  });
  assert.equal(
    (review["status"] as { allowed: boolean }).allowed,
    false,
    "an unbound service account may not list secrets",
  );
});

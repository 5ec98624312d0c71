import assert from "node:assert/strict";
import { test } from "node:test";
import YAML from "yaml";
import type { KubeObject } from "../src/kube/objects.ts";
import {
  applyKustomization,
  appliedRevision,
  deliveryFixture,
  exists,
  failedWith,
  ksApi,
  ksCondition,
  waitForKustomization,
} from "./helpers/kustomizations.ts";
import { waitFor } from "./helpers/wait.ts";

const deployment = (name: string, image: string) =>
  YAML.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } },
    },
  });
const configMap = (name: string, data: Record<string, string>) =>
  YAML.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });
type Deployment = KubeObject & {
  spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
};

test("plain manifests are applied into targetNamespace, health-checked, drift-corrected and pruned when removed from git", async (t) => {
  const files = {
    "apps/web/deploy.yaml": deployment("web", "example/web:1"),
    "apps/web/config.json": JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "web-config" },
      data: { a: "1" },
    }),
    "apps/extra.yaml": configMap("extra", { b: "2" }),
    "README.md": "not a manifest",
  };
  const { client, ns, sha, push } = await deliveryFixture(t, "ks-basic", files);
  await applyKustomization(client, ns, "apps", {
    path: "./apps",
    prune: true,
    wait: true,
    timeout: "60s",
    targetNamespace: ns,
  });

  const ready = await waitForKustomization(
    client,
    ns,
    "apps",
    appliedRevision(`main@sha1:${sha}`),
    "applied",
  );
  assert.equal(ksCondition(ready)?.reason, "ReconciliationSucceeded");
  assert.equal(ksCondition(ready)?.message, `Applied revision: main@sha1:${sha}`);
  assert.equal(ksCondition(ready, "Healthy")?.status, "True");
  assert.deepEqual(
    ready.status?.inventory?.entries.map((e) => e.id),
    [`${ns}_extra__ConfigMap`, `${ns}_web-config__ConfigMap`, `${ns}_web_apps_Deployment`],
  );
  const web = await client.get<Deployment & { metadata: { labels: Record<string, string> } }>(
    "apps/v1",
    "Deployment",
    "web",
    ns,
  );
  assert.equal(web.metadata.labels["kustomize.toolkit.fluxcd.io/name"], "apps");
  const events = (await client.list("v1", "Event", { namespace: ns })).items.filter(
    (e) => (e["involvedObject"] as { kind: string }).kind === "Kustomization",
  );
  assert.ok(
    events.some((e) => /Deployment\/.*\/web created/.test(String(e["message"]))),
    "an event lists what was created",
  );

  await client.patch(
    { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: ns },
    { spec: { replicas: 5 } },
  );
  await client.patch(
    { apiVersion: ksApi, kind: "Kustomization", name: "apps", namespace: ns },
    { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": "drift" } } },
  );
  await waitFor("drift to be corrected", async () =>
    (await client.get<Deployment>("apps/v1", "Deployment", "web", ns)).spec.replicas === 2 ? true : undefined,
  );

  const next = await push({ "apps/extra.yaml": "# removed\n" }, "drop extra");
  await waitForKustomization(
    client,
    ns,
    "apps",
    appliedRevision(`main@sha1:${next}`),
    "new revision applied without a reconcile request",
  );
  assert.equal(await exists(client, "v1", "ConfigMap", "extra", ns), false, "pruned");
  assert.equal(await exists(client, "apps/v1", "Deployment", "web", ns), true);
});

test("a malformed manifest or a path escaping the artifact fails the build, a missing path the artifact, and nothing is pruned", async (t) => {
  const { client, ns, sha, push } = await deliveryFixture(t, "ks-bad", {
    "app/config.yaml": configMap("kept", { a: "1" }),
  });
  await applyKustomization(client, ns, "app", { path: "app", prune: true, targetNamespace: ns });
  await applyKustomization(client, ns, "escape", { path: "../../etc", prune: true, targetNamespace: ns });
  await waitForKustomization(client, ns, "app", appliedRevision(`main@sha1:${sha}`), "applied");
  const escape = await waitForKustomization(
    client,
    ns,
    "escape",
    failedWith("BuildFailed"),
    "path escape refused",
  );
  assert.match(ksCondition(escape)!.message, /\.\.\/\.\.\/etc/);
  await applyKustomization(client, ns, "missing", { path: "no-such-dir", prune: true, targetNamespace: ns });
  const missing = await waitForKustomization(
    client,
    ns,
    "missing",
    failedWith("ArtifactFailed"),
    "a path missing from the artifact",
  );
  assert.match(ksCondition(missing)!.message, /path 'no-such-dir' not found in revision/);

  const noKind = await push({ "app/nokind.yaml": "apiVersion: v1\nmetadata:\n  name: no-kind\n" });
  const missingKind = await waitForKustomization(
    client,
    ns,
    "app",
    (o, r) => r?.reason === "BuildFailed" && o.status?.lastAttemptedRevision === `main@sha1:${noKind}`,
    "an object missing its kind fails the build",
  );
  assert.match(ksCondition(missingKind)!.message, /kind/i);
  assert.equal(await exists(client, "v1", "ConfigMap", "kept", ns), true, "nothing pruned");
  const fixed = await push({ "app/nokind.yaml": "# fixed\n" });
  await waitForKustomization(
    client,
    ns,
    "app",
    appliedRevision(`main@sha1:${fixed}`),
    "applied again once fixed",
  );
  const broken = await push({
    "app/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kept\ndata: [\n",
  });
  const failed = await waitForKustomization(client, ns, "app", failedWith("BuildFailed"), "build failure");
  assert.equal(failed.status?.lastAttemptedRevision, `main@sha1:${broken}`);
  assert.equal(
    failed.status?.lastAppliedRevision,
    `main@sha1:${fixed}`,
    "the last good revision stays recorded",
  );
  assert.equal(
    await exists(client, "v1", "ConfigMap", "kept", ns),
    true,
    "nothing pruned after a failed build",
  );
});

test("dependsOn waits for the dependency to be Ready, and a cycle is reported", async (t) => {
  const files = {
    "base/cm.yaml": configMap("base", { a: "1" }),
    "app/cm.yaml": configMap("app", { b: "2" }),
  };
  const { client, ns, sha } = await deliveryFixture(t, "ks-deps", files);
  await applyKustomization(client, ns, "app", {
    path: "app",
    prune: true,
    targetNamespace: ns,
    dependsOn: [{ name: "base" }],
    retryInterval: "1h",
  });
  const waiting = await waitForKustomization(
    client,
    ns,
    "app",
    failedWith("DependencyNotReady"),
    "waiting for base",
  );
  assert.match(ksCondition(waiting)!.message, new RegExp(`dependency '${ns}/base' not found`));
  await applyKustomization(client, ns, "base", { path: "base", prune: true, targetNamespace: ns });
  await waitForKustomization(
    client,
    ns,
    "app",
    appliedRevision(`main@sha1:${sha}`),
    "applied once base is Ready (not at the 1h retry)",
  );

  await applyKustomization(client, ns, "loop-a", {
    path: "base",
    prune: false,
    dependsOn: [{ name: "loop-b" }],
  });
  await applyKustomization(client, ns, "loop-b", {
    path: "base",
    prune: false,
    dependsOn: [{ name: "loop-a" }],
  });
  const loop = await waitForKustomization(
    client,
    ns,
    "loop-a",
    (o) => ksCondition(o, "Stalled")?.status === "True",
    "cycle detected",
  );
  assert.match(
    ksCondition(loop)!.message,
    new RegExp(`dependency cycle: ${ns}/loop-a -> ${ns}/loop-b -> ${ns}/loop-a`),
  );
});

test("a workload that never becomes healthy fails with HealthCheckFailed naming it", async (t) => {
  // no storage provisioner runs in the environment: the claim stays Pending
  const claim = YAML.stringify({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "forever" },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
  });
  const { client, ns } = await deliveryFixture(t, "ks-health", { "job/claim.yaml": claim });
  await applyKustomization(client, ns, "job", {
    path: "job",
    prune: true,
    wait: true,
    timeout: "3s",
    targetNamespace: ns,
  });
  const failed = await waitForKustomization(
    client,
    ns,
    "job",
    failedWith("HealthCheckFailed"),
    "health check failure",
  );
  assert.match(
    ksCondition(failed)!.message,
    new RegExp(`timeout waiting for: \\[PersistentVolumeClaim/${ns}/forever status: 'InProgress'`),
  );
  assert.equal(ksCondition(failed, "Healthy")?.status, "False");
  assert.ok(
    failed.status?.inventory?.entries.length,
    "the inventory records what was applied even when unhealthy",
  );
});

test("postBuild substitution, patches, images and namePrefix shape what is applied", async (t) => {
  const files = {
    "app/deploy.yaml": deployment("api", "example/api:1").replace("replicas: 2", "replicas: ${replicas:=1}"),
    "app/cm.yaml": configMap("settings", { env: "${cluster_env}", literal: "$${not_a_var}" }),
  };
  const { client, ns } = await deliveryFixture(t, "ks-post", files);
  await client.apply(
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "vars", namespace: ns },
      data: { cluster_env: "staging", replicas: "3" },
    },
    { fieldManager: "test" },
  );
  await applyKustomization(client, ns, "app", {
    path: "app",
    prune: true,
    targetNamespace: ns,
    namePrefix: "p-",
    postBuild: {
      substitute: { replicas: "4" },
      substituteFrom: [
        { kind: "ConfigMap", name: "vars" },
        { kind: "Secret", name: "absent", optional: true },
      ],
    },
    images: [{ name: "example/api", newTag: "2" }],
    patches: [
      {
        patch: '- op: add\n  path: /metadata/annotations\n  value: {patched: "yes"}\n',
        target: { kind: "ConfigMap" },
      },
    ],
  });
  await waitForKustomization(
    client,
    ns,
    "app",
    (o, r) => r?.status === "True" && !!o.status?.lastAppliedRevision,
    "applied",
  );
  const cm = await client.get<KubeObject & { data: Record<string, string> }>(
    "v1",
    "ConfigMap",
    "p-settings",
    ns,
  );
  assert.deepEqual(cm.data, { env: "staging", literal: "${not_a_var}" });
  assert.equal(cm.metadata.annotations?.["patched"], "yes");
  const d = await client.get<Deployment>("apps/v1", "Deployment", "p-api", ns);
  assert.equal(d.spec.replicas, 4, "spec.postBuild.substitute wins over substituteFrom");
  assert.equal(d.spec.template.spec.containers[0]?.image, "example/api:2");
});

test("serviceAccountName impersonates: without RBAC the apply is refused and nothing is created", async (t) => {
  const { client, ns } = await deliveryFixture(t, "ks-sa", {
    "app/cm.yaml": configMap("guarded", { a: "1" }),
  });
  await client.create({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "limited", namespace: ns },
  });
  await applyKustomization(client, ns, "app", {
    path: "app",
    prune: true,
    targetNamespace: ns,
    serviceAccountName: "limited",
  });
  const denied = await waitForKustomization(
    client,
    ns,
    "app",
    failedWith("ReconciliationFailed"),
    "forbidden",
  );
  assert.match(ksCondition(denied)!.message, new RegExp(`system:serviceaccount:${ns}:limited`));
  assert.equal(await exists(client, "v1", "ConfigMap", "guarded", ns), false);
});

test("deleting a Kustomization with prune deletes its objects; without prune they are orphaned", async (t) => {
  const files = {
    "a/cm.yaml": configMap("from-a", { a: "1" }),
    "b/cm.yaml": configMap("from-b", { b: "1" }),
  };
  const { client, ns, sha } = await deliveryFixture(t, "ks-delete", files);
  await applyKustomization(client, ns, "a", { path: "a", prune: true, targetNamespace: ns });
  await applyKustomization(client, ns, "b", { path: "b", prune: false, targetNamespace: ns });
  for (const name of ["a", "b"])
    await waitForKustomization(client, ns, name, appliedRevision(`main@sha1:${sha}`), "applied");
  await client.delete(ksApi, "Kustomization", "a", ns);
  await client.delete(ksApi, "Kustomization", "b", ns);
  await waitFor("both Kustomizations gone", async () =>
    (await client.list(ksApi, "Kustomization", { namespace: ns })).items.length === 0 ? true : undefined,
  );
  assert.equal(await exists(client, "v1", "ConfigMap", "from-a", ns), false, "pruned with its Kustomization");
  assert.equal(await exists(client, "v1", "ConfigMap", "from-b", ns), true, "orphaned");
});

test("a v1beta1 Kustomization with patchesStrategicMerge and validation is applied and warned about once", async (t) => {
  const { client, ns, sha } = await deliveryFixture(t, "ks-beta", {
    "app/deploy.yaml": deployment("legacy", "example/legacy:1"),
  });
  await applyKustomization(
    client,
    ns,
    "legacy",
    {
      path: "app",
      prune: true,
      targetNamespace: ns,
      validation: "client",
      patchesStrategicMerge: [
        { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "legacy" }, spec: { replicas: 1 } },
      ],
    },
    "kustomize.toolkit.fluxcd.io/v1beta1",
  );
  await waitForKustomization(client, ns, "legacy", appliedRevision(`main@sha1:${sha}`), "applied");
  assert.equal((await client.get<Deployment>("apps/v1", "Deployment", "legacy", ns)).spec.replicas, 1);
  const warnings = (await client.list("v1", "Event", { namespace: ns })).items.filter(
    (e) => e["reason"] === "DeprecatedField",
  );
  assert.equal(warnings.length, 1);
  assert.match(String(warnings[0]!["message"]), /spec\.validation/);
});

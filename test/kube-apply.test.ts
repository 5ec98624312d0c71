import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { applyStaged, ApplyValidationError } from "../src/kube/apply.ts";
import { entryOf, staleEntries } from "../src/kube/inventory.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { pruneStale } from "../src/kube/prune.ts";
import { adminClient } from "./helpers/kube.ts";

const manager = { fieldManager: "sluice-test-apply" };
const owner = { "kustomize.toolkit.fluxcd.io/name": "test", "kustomize.toolkit.fluxcd.io/namespace": "test" };
const cm = (
  ns: string,
  name: string,
  data: Record<string, string>,
  extra: Partial<KubeObject["metadata"]> = {},
): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: ns, labels: owner, ...extra },
  data,
});

function crdFor(group: string): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `widgets.${group}`, labels: owner },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: { spec: { type: "object", properties: { size: { type: "integer" } } } },
            },
          },
        },
      ],
    },
  };
}

test("staged apply: a CRD, its custom resource and a namespace in one go; unchanged on repeat; drift is reverted", async (t) => {
  const client = await adminClient(t);
  const suffix = randomBytes(3).toString("hex");
  const ns = `apply-${suffix}`;
  const group = `g${suffix}.sluice.test`;
  t.after(async () => {
    await client.delete("v1", "Namespace", ns).catch(() => {});
    await client
      .delete("apiextensions.k8s.io/v1", "CustomResourceDefinition", `widgets.${group}`)
      .catch(() => {});
  });
  const objects: KubeObject[] = [
    {
      apiVersion: `${group}/v1`,
      kind: "Widget",
      metadata: { name: "w", namespace: ns, labels: owner },
      spec: { size: 3 },
    },
    cm(ns, "settings", { mode: "a" }),
    { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: owner } },
    crdFor(group),
  ];
  const first = await applyStaged(client, objects, manager);
  assert.deepEqual(
    first.map((c) => [c.subject, c.action]),
    [
      [`Namespace/${ns}`, "created"],
      [`CustomResourceDefinition/widgets.${group}`, "created"],
      [`Widget/${ns}/w`, "created"],
      [`ConfigMap/${ns}/settings`, "created"],
    ],
  );
  const again = await applyStaged(client, objects, manager);
  assert.ok(
    again.every((c) => c.action === "unchanged"),
    JSON.stringify(again),
  );

  await client.patch(
    { apiVersion: "v1", kind: "ConfigMap", name: "settings", namespace: ns },
    { data: { mode: "edited-by-hand" } },
  );
  const drift = await applyStaged(client, objects, manager);
  assert.equal(drift.find((c) => c.subject === `ConfigMap/${ns}/settings`)?.action, "configured");
  const live = await client.get<KubeObject & { data: Record<string, string> }>(
    "v1",
    "ConfigMap",
    "settings",
    ns,
  );
  assert.equal(live.data["mode"], "a", "the manual edit was reverted");
});

test("a bad object fails the dry-run and nothing of its stage changes; ssa annotations are honoured", async (t) => {
  const client = await adminClient(t);
  const ns = `apply-${randomBytes(3).toString("hex")}`;
  await applyStaged(client, [{ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }], manager);
  t.after(() => client.delete("v1", "Namespace", ns).catch(() => {}));
  const bad = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "svc", namespace: ns },
    spec: { ports: [{ port: 99999 }] },
  } as KubeObject;
  await assert.rejects(applyStaged(client, [cm(ns, "fresh", { a: "1" }), bad], manager), (err: unknown) => {
    assert.ok(err instanceof ApplyValidationError);
    assert.match(err.message, new RegExp(`Service/${ns}/svc dry-run failed: .*port`));
    return true;
  });
  await assert.rejects(
    client.get("v1", "ConfigMap", "fresh", ns),
    /not found/,
    "the valid object was not created either",
  );

  await applyStaged(client, [cm(ns, "keep", { v: "original" })], manager);
  const ifNotPresent = cm(
    ns,
    "keep",
    { v: "changed" },
    { annotations: { "kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent" } },
  );
  const ignored = cm(
    ns,
    "ignored",
    { v: "x" },
    { annotations: { "kustomize.toolkit.fluxcd.io/ssa": "Ignore" } },
  );
  const result = await applyStaged(client, [ifNotPresent, ignored], manager);
  assert.deepEqual(
    result.map((r) => r.action),
    ["skipped", "skipped"],
  );
  const kept = await client.get<KubeObject & { data: Record<string, string> }>("v1", "ConfigMap", "keep", ns);
  assert.equal(kept.data["v"], "original");
  await assert.rejects(client.get("v1", "ConfigMap", "ignored", ns), /not found/);
});

test("an immutable field change fails without force and recreates the object with force", async (t) => {
  const client = await adminClient(t);
  const ns = `apply-${randomBytes(3).toString("hex")}`;
  await applyStaged(client, [{ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }], manager);
  t.after(() => client.delete("v1", "Namespace", ns).catch(() => {}));
  const secret = (type: string) =>
    ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", namespace: ns },
      type,
      stringData: { a: "b" },
    }) as KubeObject;
  await applyStaged(client, [secret("Opaque")], manager);
  const before = await client.get("v1", "Secret", "s", ns);
  await assert.rejects(applyStaged(client, [secret("example.com/other")], manager), /immutable/);
  await applyStaged(client, [secret("example.com/other")], { ...manager, force: true });
  const after = await client.get<KubeObject & { type: string }>("v1", "Secret", "s", ns);
  assert.equal(after.type, "example.com/other");
  assert.notEqual(after.metadata.uid, before.metadata.uid, "recreated");
});

test("pruning deletes only owned stale objects, never ones marked prune: disabled or owned by someone else", async (t) => {
  const client = await adminClient(t);
  const ns = `prune-${randomBytes(3).toString("hex")}`;
  t.after(() => client.delete("v1", "Namespace", ns).catch(() => {}));
  const nsObj: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: owner } };
  const old = [
    nsObj,
    cm(ns, "stays", { a: "1" }),
    cm(ns, "goes", { a: "1" }),
    cm(ns, "protected", { a: "1" }, { annotations: { "kustomize.toolkit.fluxcd.io/prune": "disabled" } }),
    cm(ns, "adopted", { a: "1" }),
  ];
  await applyStaged(client, old, manager);
  await client.patch(
    { apiVersion: "v1", kind: "ConfigMap", name: "adopted", namespace: ns },
    { metadata: { labels: { "kustomize.toolkit.fluxcd.io/name": "other" } } },
  );
  const next = [nsObj, cm(ns, "stays", { a: "1" })];
  const stale = staleEntries(old.map(entryOf), next.map(entryOf));
  const results = await pruneStale(client, stale, owner);
  assert.deepEqual(
    results.map((r) => [r.subject, r.action]),
    [
      [`ConfigMap/${ns}/goes`, "deleted"],
      [`ConfigMap/${ns}/protected`, "skipped"],
      [`ConfigMap/${ns}/adopted`, "skipped"],
    ],
  );
  const left = (await client.list("v1", "ConfigMap", { namespace: ns })).items
    .map((o) => o.metadata.name)
    .filter((n) => n !== "kube-root-ca.crt")
    .sort();
  assert.deepEqual(left, ["adopted", "protected", "stays"]);
});

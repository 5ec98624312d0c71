import assert from "node:assert/strict";
import { test } from "node:test";
import type { KubeObject } from "../kube/objects.ts";
import { reconcileTriggered } from "./controller.ts";

const base: KubeObject = {
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: { name: "a", namespace: "n", generation: 1, resourceVersion: "10", annotations: {} },
  spec: { interval: "1m" },
  status: { observedGeneration: 1 },
};

function changed(f: (o: KubeObject) => void, from: KubeObject = base): boolean {
  const next = structuredClone(from);
  f(next);
  return reconcileTriggered(from, next);
}

test("status-only and bookkeeping updates do not trigger a reconcile", () => {
  assert.equal(
    changed((o) => {
      o.status = { observedGeneration: 1, conditions: [] };
      o.metadata.resourceVersion = "11";
      (o.metadata as Record<string, unknown>)["managedFields"] = [{ manager: "sluice" }];
    }),
    false,
  );
  assert.equal(
    changed((o) => (o.metadata.labels = { team: "x" })),
    false,
    "metadata without generation change",
  );
});

test("generation, requestedAt and deletion trigger a reconcile", () => {
  assert.equal(
    changed((o) => (o.metadata.generation = 2)),
    true,
  );
  assert.equal(
    changed((o) => (o.metadata.annotations = { "reconcile.fluxcd.io/requestedAt": "now" })),
    true,
  );
  assert.equal(
    changed((o) => (o.metadata.deletionTimestamp = "2025-01-01T00:00:00Z")),
    true,
  );
});

test("kinds without generation trigger on any change outside status and bookkeeping", () => {
  const cm: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c", resourceVersion: "1" },
    data: { a: "1" },
  };
  assert.equal(
    changed((o) => (o["data"] = { a: "2" }), cm),
    true,
  );
  assert.equal(
    changed((o) => (o.metadata.resourceVersion = "2"), cm),
    false,
  );
  assert.equal(
    changed((o) => (o.metadata.annotations = { x: "y" }), cm),
    true,
  );
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { computeHealth } from "./health.ts";
import type { KubeObject } from "./objects.ts";

const obj = (
  apiVersion: string,
  kind: string,
  rest: Record<string, unknown>,
  generation = 1,
): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: "x", namespace: "ns", generation },
  ...rest,
});

test("Deployments are Current only when rolled out and available", () => {
  const spec = { replicas: 3 };
  const done = {
    observedGeneration: 1,
    replicas: 3,
    updatedReplicas: 3,
    readyReplicas: 3,
    availableReplicas: 3,
    conditions: [{ type: "Available", status: "True" }],
  };
  assert.equal(computeHealth(obj("apps/v1", "Deployment", { spec, status: done })).status, "Current");
  assert.equal(
    computeHealth(obj("apps/v1", "Deployment", { spec, status: { ...done, updatedReplicas: 1 } })).status,
    "InProgress",
  );
  assert.equal(
    computeHealth(obj("apps/v1", "Deployment", { spec, status: { ...done, replicas: 4 } })).status,
    "InProgress",
    "old pods still terminating",
  );
  assert.equal(
    computeHealth(obj("apps/v1", "Deployment", { spec, status: done }, 2)).status,
    "InProgress",
    "new generation not observed",
  );
  const stuck = {
    ...done,
    updatedReplicas: 1,
    conditions: [
      { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "timed out" },
    ],
  };
  assert.equal(computeHealth(obj("apps/v1", "Deployment", { spec, status: stuck })).status, "Failed");
});

test("StatefulSets, DaemonSets, Jobs, Pods and phases", () => {
  const sts = {
    observedGeneration: 1,
    replicas: 2,
    readyReplicas: 2,
    currentReplicas: 2,
    currentRevision: "a",
    updateRevision: "b",
  };
  assert.equal(
    computeHealth(obj("apps/v1", "StatefulSet", { spec: { replicas: 2 }, status: sts })).status,
    "InProgress",
  );
  assert.equal(
    computeHealth(
      obj("apps/v1", "StatefulSet", { spec: { replicas: 2 }, status: { ...sts, updateRevision: "a" } }),
    ).status,
    "Current",
  );
  const ds = {
    observedGeneration: 1,
    desiredNumberScheduled: 3,
    currentNumberScheduled: 3,
    updatedNumberScheduled: 3,
    numberAvailable: 2,
    numberReady: 3,
  };
  assert.equal(computeHealth(obj("apps/v1", "DaemonSet", { status: ds })).status, "InProgress");
  assert.equal(
    computeHealth(obj("apps/v1", "DaemonSet", { status: { ...ds, numberAvailable: 3 } })).status,
    "Current",
  );
  assert.equal(
    computeHealth(obj("batch/v1", "Job", { status: { conditions: [{ type: "Complete", status: "True" }] } }))
      .status,
    "Current",
  );
  assert.equal(
    computeHealth(obj("batch/v1", "Job", { status: { conditions: [{ type: "Failed", status: "True" }] } }))
      .status,
    "Failed",
  );
  assert.equal(
    computeHealth(
      obj("v1", "Pod", { status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } }),
    ).status,
    "Current",
  );
  assert.equal(
    computeHealth(obj("v1", "PersistentVolumeClaim", { status: { phase: "Pending" } })).status,
    "InProgress",
  );
  assert.equal(computeHealth(obj("v1", "ConfigMap", { data: {} })).status, "Current");
});

test("custom resources follow their Ready, Reconciling and Stalled conditions", () => {
  const cr = (conditions: unknown[]) =>
    computeHealth(obj("example.com/v1", "Widget", { status: { observedGeneration: 1, conditions } })).status;
  assert.equal(cr([{ type: "Ready", status: "True" }]), "Current");
  assert.equal(cr([{ type: "Ready", status: "Unknown" }]), "InProgress");
  assert.equal(
    cr([
      { type: "Reconciling", status: "True" },
      { type: "Ready", status: "True" },
    ]),
    "InProgress",
  );
  assert.equal(cr([{ type: "Stalled", status: "True", message: "bad" }]), "Failed");
  assert.equal(computeHealth(undefined).status, "NotFound");
  assert.equal(
    computeHealth({ ...obj("v1", "ConfigMap", {}), metadata: { name: "x", deletionTimestamp: "now" } })
      .status,
    "Terminating",
  );
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { InvalidObjectError } from "../../errors.ts";
import { convertToV1, patchFromJson6902, patchFromStrategicMerge } from "./convert.ts";
import { parseKustomization } from "./parse.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const condition = {
  type: "Ready",
  status: "True" as const,
  reason: "ReconciliationSucceeded",
  message: "Applied revision: main@sha1:132f4e719209eb10b9485302f8593fc0e680f4fc",
  lastTransitionTime: "2023-01-10T09:00:00Z",
};
const inventory = {
  entries: [
    { id: "apps_podinfo_apps_Deployment", v: "v1" },
    { id: "apps_podinfo__Service", v: "v1" },
  ],
};
const deploymentPatch = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "podinfo", namespace: "apps" },
  spec: { template: { spec: { containers: [{ name: "podinfod", env: [{ name: "DEBUG", value: "on" }] }] } } },
};
const json6902 = {
  target: { group: "apps", version: "v1", kind: "Deployment", name: "podinfo", labelSelector: "tier=web" },
  patch: [
    { op: "replace" as const, path: "/spec/replicas", value: 3 },
    { op: "remove" as const, path: "/spec/template/metadata/annotations" },
    { op: "copy" as const, from: "/metadata/labels", path: "/spec/template/metadata/labels" },
  ],
};
const ownPatch = {
  patch: "- op: add\n  path: /metadata/labels/team\n  value: a\n",
  target: { kind: "Service" },
};

const sharedSpec = {
  sourceRef: { kind: "GitRepository" as const, name: "podinfo", namespace: "flux-system" },
  path: "./kustomize",
  interval: "10m",
  retryInterval: "1m",
  timeout: "2m",
  prune: true,
  healthChecks: [{ apiVersion: "apps/v1", kind: "Deployment", name: "podinfo", namespace: "apps" }],
  dependsOn: [{ name: "infra", namespace: "flux-system" }],
  suspend: false,
  targetNamespace: "apps",
  images: [{ name: "podinfo", newName: "registry.example.com/podinfo", newTag: "6.3.0" }],
  serviceAccountName: "deployer",
  force: true,
};

function v1beta2Object(): v1beta2.Kustomization {
  return v1beta2.Kustomization.parse({
    apiVersion: v1beta2.API_VERSION,
    kind: "Kustomization",
    metadata: { name: "podinfo", namespace: "flux-system", generation: 3 },
    spec: {
      ...sharedSpec,
      wait: true,
      commonMetadata: { labels: { team: "a" } },
      components: ["../components/ingress"],
      postBuild: {
        substitute: { cluster: "prod" },
        substituteFrom: [{ kind: "ConfigMap", name: "vars" }],
      },
      kubeConfig: { secretRef: { name: "prod-kubeconfig", key: "value.yaml" } },
      decryption: { provider: "sops", secretRef: { name: "sops-age" } },
      patches: [ownPatch],
      patchesStrategicMerge: [deploymentPatch],
      patchesJson6902: [json6902],
      validation: "client",
    },
    status: {
      observedGeneration: 3,
      conditions: [condition],
      lastAppliedRevision: "main@sha1:132f4e719209eb10b9485302f8593fc0e680f4fc",
      lastAttemptedRevision: "main@sha1:132f4e719209eb10b9485302f8593fc0e680f4fc",
      lastHandledReconcileAt: "2023-01-10T08:59:00Z",
      inventory,
    },
  });
}

describe("patches from the fields v1 dropped", () => {
  it("a strategic merge patch becomes a patch without target, as kustomize edit fix writes it", () => {
    const patch = patchFromStrategicMerge(deploymentPatch);
    assert.equal(patch.target, undefined);
    assert.deepEqual(parse(patch.patch), deploymentPatch);
  });

  it("quotes strings a YAML 1.1 reader would take for booleans", () => {
    assert.match(patchFromStrategicMerge(deploymentPatch).patch, /value: "on"/);
  });

  it("a JSON 6902 patch becomes its operations as a YAML list with the same target", () => {
    const patch = patchFromJson6902(json6902);
    assert.deepEqual(patch.target, json6902.target);
    assert.deepEqual(parse(patch.patch), json6902.patch);
    assert.match(patch.patch, /^- op: replace\n {2}path: \/spec\/replicas\n {2}value: 3\n/);
  });

  it("leaves out a target namespace the Kustomization's targetNamespace implies", () => {
    const target = { kind: "Deployment", name: "web", namespace: "prod" };
    const entry = { target, patch: [{ op: "remove" as const, path: "/spec/paused" }] };
    assert.deepEqual(patchFromJson6902(entry, "prod").target, { kind: "Deployment", name: "web" });
    assert.deepEqual(patchFromJson6902(entry, "staging").target, target);
    assert.deepEqual(patchFromJson6902(entry).target, target);
    const kindless = { ...entry, target: { namespace: "prod", labelSelector: "app=web" } };
    assert.deepEqual(patchFromJson6902(kindless, "prod").target, kindless.target);
  });

  it("keeps a null value and omits an absent one", () => {
    const patch = patchFromJson6902({
      target: { kind: "ConfigMap" },
      patch: [
        { op: "add", path: "/data/x", value: null },
        { op: "remove", path: "/data/y" },
      ],
    });
    assert.deepEqual(parse(patch.patch), [
      { op: "add", path: "/data/x", value: null },
      { op: "remove", path: "/data/y" },
    ]);
  });
});

describe("v1beta2 convertToV1", () => {
  it("keeps every field v1 has and moves the old patches into patches in kustomize's order", () => {
    const { object } = convertToV1(v1beta2Object());
    assert.equal(object.apiVersion, "kustomize.toolkit.fluxcd.io/v1");
    assert.deepEqual(object.metadata, { name: "podinfo", namespace: "flux-system", generation: 3 });
    assert.deepEqual(object.spec, {
      ...sharedSpec,
      wait: true,
      commonMetadata: { labels: { team: "a" } },
      components: ["../components/ingress"],
      postBuild: {
        substitute: { cluster: "prod" },
        substituteFrom: [{ kind: "ConfigMap", name: "vars", optional: false }],
      },
      kubeConfig: { secretRef: { name: "prod-kubeconfig", key: "value.yaml" } },
      decryption: { provider: "sops", secretRef: { name: "sops-age" } },
      patches: [patchFromStrategicMerge(deploymentPatch), ownPatch, patchFromJson6902(json6902)],
    });
    assert.deepEqual(object.status, {
      observedGeneration: 3,
      conditions: [condition],
      lastAppliedRevision: "main@sha1:132f4e719209eb10b9485302f8593fc0e680f4fc",
      lastAttemptedRevision: "main@sha1:132f4e719209eb10b9485302f8593fc0e680f4fc",
      lastHandledReconcileAt: "2023-01-10T08:59:00Z",
      inventory,
    });
  });

  it("reports each deprecated field once", () => {
    const { deprecated } = convertToV1(v1beta2Object());
    assert.deepEqual(deprecated.sort(), [
      "spec.patchesJson6902",
      "spec.patchesStrategicMerge",
      "spec.validation",
    ]);
  });

  it("reports empty old patch lists without adding patches", () => {
    const obj = v1beta2Object();
    delete obj.spec.patches;
    obj.spec.patchesStrategicMerge = [];
    obj.spec.patchesJson6902 = [];
    const { object, deprecated } = convertToV1(obj);
    assert.equal("patches" in object.spec, false);
    assert.ok(deprecated.includes("spec.patchesStrategicMerge"));
    assert.ok(deprecated.includes("spec.patchesJson6902"));
  });
});

describe("v1beta1 convertToV1", () => {
  const obj = (): v1beta1.Kustomization =>
    v1beta1.Kustomization.parse({
      apiVersion: v1beta1.API_VERSION,
      kind: "Kustomization",
      metadata: { name: "legacy", namespace: "flux-system" },
      spec: {
        ...sharedSpec,
        interval: "1h30m",
        validation: "server",
        kubeConfig: { secretRef: { name: "cluster-kubeconfig" } },
        postBuild: { substituteFrom: [{ kind: "Secret", name: "vars" }] },
        patchesStrategicMerge: [deploymentPatch],
      },
      status: {
        observedGeneration: 1,
        lastAppliedRevision: "main/132f4e719209eb10b9485302f8593fc0e680f4fc",
        snapshot: {
          checksum: "8b3a4fd5b9c1d0e2f3a4b5c6d7e8f90112233445",
          entries: [
            { namespace: "", kinds: { "/v1, Kind=Namespace": "Namespace" } },
            { namespace: "apps", kinds: { "apps/v1, Kind=Deployment": "Deployment" } },
          ],
        },
      },
    });

  it("keeps the data, adds v1's defaults and drops the snapshot, reporting what v1 dropped", () => {
    const { object, deprecated } = convertToV1(obj());
    assert.deepEqual(object.spec.kubeConfig, { secretRef: { name: "cluster-kubeconfig" } });
    assert.deepEqual(object.spec.postBuild, {
      substituteFrom: [{ kind: "Secret", name: "vars", optional: false }],
    });
    assert.deepEqual(object.spec.patches, [patchFromStrategicMerge(deploymentPatch)]);
    assert.equal(object.spec.interval, "1h30m");
    assert.deepEqual(object.status, {
      observedGeneration: 1,
      lastAppliedRevision: "main/132f4e719209eb10b9485302f8593fc0e680f4fc",
    });
    assert.deepEqual(deprecated.sort(), ["spec.patchesStrategicMerge", "spec.validation", "status.snapshot"]);
  });

  it("refuses a Go duration that v1's pattern rejects instead of guessing", () => {
    const o = obj();
    o.spec.interval = "1500us";
    assert.throws(
      () => convertToV1(o),
      (err: unknown) => err instanceof InvalidObjectError && /spec\.interval/.test(err.message),
    );
  });
});

describe("objects read as v1 under conversion None", () => {
  const base = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "stored-as-v1beta1" },
  };

  it("may still carry old fields, which are converted and reported", () => {
    const { object, deprecated } = parseKustomization({
      ...base,
      spec: {
        interval: "5m",
        prune: false,
        sourceRef: { kind: "Bucket", name: "manifests" },
        validation: "none",
        patchesJson6902: [json6902],
      },
      status: { snapshot: { checksum: "abc", entries: [] } },
    });
    assert.deepEqual(deprecated.sort(), ["spec.patchesJson6902", "spec.validation", "status.snapshot"]);
    assert.deepEqual(object.spec, {
      interval: "5m",
      prune: false,
      sourceRef: { kind: "Bucket", name: "manifests" },
      patches: [patchFromJson6902(json6902)],
      force: false,
    });
    assert.deepEqual(object.status, {});
  });

  it("and a v1beta1 object may carry v1-only fields, which are kept", () => {
    const { object, deprecated } = parseKustomization({
      ...base,
      apiVersion: "kustomize.toolkit.fluxcd.io/v1beta1",
      spec: {
        interval: "5m",
        prune: true,
        sourceRef: { kind: "OCIRepository", name: "manifests" },
        namePrefix: "staging-",
        deletionPolicy: "Orphan",
        wait: true,
      },
    });
    assert.deepEqual(deprecated, []);
    assert.equal(object.spec.sourceRef.kind, "OCIRepository");
    assert.equal(object.spec.namePrefix, "staging-");
    assert.equal(object.spec.deletionPolicy, "Orphan");
  });

  it("convertToV1 accepts a served object without status", () => {
    const { object } = convertToV1({
      ...base,
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      spec: { interval: "5m", prune: true, sourceRef: { kind: "GitRepository", name: "r" } },
    });
    assert.deepEqual(object.status, { observedGeneration: -1 });
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { convertToV1 } from "./convert.ts";
import { parseImageRepository } from "./parse.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const condition = {
  type: "Ready",
  status: "True" as const,
  reason: "Succeeded",
  message: "successful scan: found 12 tags",
  lastTransitionTime: "2024-03-01T08:00:00Z",
};
const accessFrom = { namespaceSelectors: [{ matchLabels: { team: "web" } }] };

const sharedSpec = {
  image: "ghcr.io/example/web",
  interval: "5m",
  timeout: "30s",
  secretRef: { name: "regcred" },
  serviceAccountName: "scanner",
  certSecretRef: { name: "ca" },
  suspend: true,
  accessFrom,
};

describe("v1beta2 convertToV1", () => {
  const obj = (): v1beta2.ImageRepository =>
    v1beta2.ImageRepository.parse({
      apiVersion: v1beta2.API_VERSION,
      kind: "ImageRepository",
      metadata: { name: "web", namespace: "apps", generation: 2 },
      spec: {
        ...sharedSpec,
        proxySecretRef: { name: "proxy" },
        exclusionList: ["^.*\\.sig$", "^dev-"],
        provider: "azure",
        insecure: false,
      },
      status: {
        observedGeneration: 2,
        conditions: [condition],
        canonicalImageName: "ghcr.io/example/web",
        lastScanResult: { revision: "sha256:abc", tagCount: 12, scanTime: "2024-03-01T08:00:00Z" },
        observedExclusionList: ["^.*\\.sig$", "^dev-"],
        lastHandledReconcileAt: "2024-03-01T07:59:00Z",
      },
    });

  it("keeps every field, since v1 kept every v1beta2 field", () => {
    const original = obj();
    const { object, deprecated } = convertToV1(original);
    assert.equal(object.apiVersion, "image.toolkit.fluxcd.io/v1");
    assert.deepEqual(object.metadata, original.metadata);
    assert.deepEqual(object.spec, original.spec);
    assert.deepEqual(object.status, original.status);
    assert.deepEqual(deprecated, []);
  });
});

describe("v1beta1 convertToV1", () => {
  const obj = (): v1beta1.ImageRepository =>
    v1beta1.ImageRepository.parse({
      apiVersion: v1beta1.API_VERSION,
      kind: "ImageRepository",
      metadata: { name: "legacy", namespace: "flux-system" },
      spec: sharedSpec,
      status: {
        canonicalImageName: "ghcr.io/example/web",
        lastScanResult: { tagCount: 3, scanTime: "2022-01-01T00:00:00Z" },
        lastHandledReconcileAt: "2021-12-31T23:59:00Z",
      },
    });

  it("keeps the data and adds v1's defaults", () => {
    const { object, deprecated } = convertToV1(obj());
    assert.deepEqual(object.spec, {
      ...sharedSpec,
      exclusionList: ["^.*\\.sig$"],
      provider: "generic",
    });
    assert.deepEqual(object.status, {
      canonicalImageName: "ghcr.io/example/web",
      lastScanResult: { tagCount: 3, scanTime: "2022-01-01T00:00:00Z" },
      lastHandledReconcileAt: "2021-12-31T23:59:00Z",
    });
    assert.deepEqual(deprecated, []);
  });

  it("keeps an explicitly empty exclusion list, which excludes nothing", () => {
    const o = obj();
    o.spec.exclusionList = [];
    assert.deepEqual(convertToV1(o).object.spec.exclusionList, []);
  });
});

describe("objects under conversion None", () => {
  it("a v1beta1 object may carry v1-only fields, which are kept", () => {
    const { object, deprecated } = parseImageRepository({
      apiVersion: "image.toolkit.fluxcd.io/v1beta1",
      kind: "ImageRepository",
      metadata: { name: "mixed" },
      spec: {
        image: "localhost:5000/app",
        interval: "1m",
        insecure: true,
        provider: "gcp",
        proxySecretRef: { name: "proxy" },
      },
      status: { lastScanResult: { tagCount: 1, latestTags: ["v1"], revision: "r" } },
    });
    assert.deepEqual(deprecated, []);
    assert.equal(object.spec.insecure, true);
    assert.equal(object.spec.provider, "gcp");
    assert.deepEqual(object.status.lastScanResult, { tagCount: 1, latestTags: ["v1"], revision: "r" });
  });

  it("convertToV1 accepts a served object without status", () => {
    const { object } = convertToV1({
      apiVersion: "image.toolkit.fluxcd.io/v1beta2",
      kind: "ImageRepository",
      metadata: { name: "bare" },
      spec: { image: "alpine", interval: "1h" },
    });
    assert.deepEqual(object.status, { observedGeneration: -1 });
    assert.equal(object.apiVersion, "image.toolkit.fluxcd.io/v1");
  });
});

// Examples written after the shapes Flux's ImageRepository documentation and guides show for each version.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { InvalidObjectError } from "../../errors.ts";
import { parseImageRepository } from "./parse.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const v1Examples = {
  basic: `
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: { name: webapp, namespace: apps }
spec:
  image: ghcr.io/example/webapp
  interval: 1h
  provider: generic
`,
  everyField: `
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: { name: backend, namespace: apps }
spec:
  image: registry.example.com:5000/team/backend
  interval: 5m0s
  timeout: 1m30s
  secretRef: { name: registry-credentials }
  proxySecretRef: { name: corp-proxy }
  serviceAccountName: image-scanner
  certSecretRef: { name: registry-ca }
  suspend: false
  accessFrom:
    namespaceSelectors:
      - matchLabels:
          kubernetes.io/metadata.name: flux-system
  exclusionList:
    - "^.*\\\\.sig$"
    - "1.0.2"
    - "1.1.1|1.0.0"
  provider: generic
  insecure: true
`,
  ecr: `
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: { name: payments, namespace: flux-system }
spec:
  image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/payments
  interval: 10m
  provider: aws
  serviceAccountName: ecr-reader
`,
  withStatus: `
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: { name: webapp, namespace: apps, generation: 1 }
spec:
  image: ghcr.io/example/webapp
  interval: 1h
status:
  canonicalImageName: ghcr.io/example/webapp
  conditions:
    - type: Ready
      status: "True"
      reason: Succeeded
      message: "successful scan: found 34 tags"
      lastTransitionTime: "2025-06-01T10:00:00Z"
      observedGeneration: 1
  lastScanResult:
    revision: sha256:3f8a9c
    tagCount: 34
    scanTime: "2025-06-01T10:00:00Z"
    latestTags: [latest, 6.2.0, 6.1.8, 6.1.7, 6.1.6, 6.1.5, 6.1.4, 6.1.3, 6.1.2, 6.1.1]
  observedExclusionList: ["^.*\\\\.sig$"]
  observedGeneration: 1
  lastHandledReconcileAt: "2025-06-01T09:59:00Z"
`,
};

const v1beta2Example = `
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageRepository
metadata: { name: podinfo, namespace: flux-system }
spec:
  image: ghcr.io/stefanprodan/podinfo
  interval: 5m
  exclusionList: ["^.*\\\\.sig$", "^main-"]
status:
  canonicalImageName: ghcr.io/stefanprodan/podinfo
  lastScanResult:
    tagCount: 211
    scanTime: "2023-07-01T12:00:00Z"
    latestTags: [latest, 6.4.0]
  observedExclusionList: ["^.*\\\\.sig$", "^main-"]
  observedGeneration: 1
`;

// The v1beta1 image update guide: a private repository and the docker-registry Secret it names.
const v1beta1Guide = `
apiVersion: v1
kind: Secret
metadata: { name: regcred, namespace: flux-system }
type: kubernetes.io/dockerconfigjson
data:
  .dockerconfigjson: eyJhdXRocyI6eyJnaGNyLmlvIjp7ImF1dGgiOiJabTl2T21KaGNnPT0ifX19
---
apiVersion: image.toolkit.fluxcd.io/v1beta1
kind: ImageRepository
metadata: { name: podinfo, namespace: flux-system }
spec:
  image: ghcr.io/example/private-podinfo
  interval: 1m0s
  secretRef:
    name: regcred
  certSecretRef:
    name: registry-ca
`;

describe("ImageRepository v1 examples", () => {
  for (const [name, yaml] of Object.entries(v1Examples)) {
    it(`${name} parses as v1 and through parseImageRepository unchanged`, () => {
      const doc: unknown = parse(yaml);
      const exact = v1.ImageRepository.parse(doc);
      const { object, deprecated } = parseImageRepository(doc);
      assert.deepEqual(object, exact);
      assert.deepEqual(deprecated, []);
    });
  }

  it("applies Flux's defaults", () => {
    const { object } = parseImageRepository(parse(v1Examples.basic));
    assert.deepEqual(object.spec.exclusionList, ["^.*\\.sig$"]);
    assert.equal(object.spec.provider, "generic");
    assert.equal(object.spec.timeout, undefined, "an empty timeout means the interval");
    assert.deepEqual(object.status, { observedGeneration: -1 });
  });

  it("keeps every documented field", () => {
    const { object } = parseImageRepository(parse(v1Examples.everyField));
    assert.deepEqual(object.spec.exclusionList, ["^.*\\.sig$", "1.0.2", "1.1.1|1.0.0"]);
    assert.deepEqual(object.spec.accessFrom, {
      namespaceSelectors: [{ matchLabels: { "kubernetes.io/metadata.name": "flux-system" } }],
    });
    assert.equal(object.spec.insecure, true);
    assert.equal(object.spec.proxySecretRef?.name, "corp-proxy");
    assert.equal(object.spec.timeout, "1m30s");
  });

  it("keeps the scan result", () => {
    const { object } = parseImageRepository(parse(v1Examples.withStatus));
    assert.equal(object.status.lastScanResult?.tagCount, 34);
    assert.equal(object.status.lastScanResult?.latestTags?.length, 10);
    assert.deepEqual(object.status.observedExclusionList, ["^.*\\.sig$"]);
  });
});

describe("ImageRepository v1beta2 example", () => {
  it("parses as v1beta2 and converts to v1 without losing anything", () => {
    const doc: unknown = parse(v1beta2Example);
    const exact = v1beta2.ImageRepository.parse(doc);
    const { object, deprecated } = parseImageRepository(doc);
    assert.equal(object.apiVersion, "image.toolkit.fluxcd.io/v1");
    assert.deepEqual(object.spec, exact.spec);
    assert.deepEqual(object.status, exact.status);
    assert.deepEqual(deprecated, []);
  });
});

describe("ImageRepository v1beta1 guide", () => {
  it("names a docker-registry Secret and converts to v1 with v1's defaults", () => {
    const [secret, repository] = parseAllDocuments(v1beta1Guide).map(
      (d) => d.toJS() as Record<string, unknown>,
    );
    assert.equal(secret?.["type"], "kubernetes.io/dockerconfigjson");
    const exact = v1beta1.ImageRepository.parse(repository);
    assert.equal(exact.spec.exclusionList, undefined, "v1beta1 had no default exclusion list");
    const { object, deprecated } = parseImageRepository(repository);
    assert.deepEqual(object.spec, {
      image: "ghcr.io/example/private-podinfo",
      interval: "1m0s",
      secretRef: { name: "regcred" },
      certSecretRef: { name: "registry-ca" },
      exclusionList: ["^.*\\.sig$"],
      provider: "generic",
    });
    assert.deepEqual(deprecated, []);
  });
});

describe("invalid ImageRepositories", () => {
  const base = parse(v1Examples.basic) as { spec: Record<string, unknown> };
  const cases: [string, unknown, RegExp][] = [
    ["no image", { ...base, spec: { interval: "1h" } }, /spec\.image/],
    ["no interval", { ...base, spec: { image: "alpine" } }, /spec\.interval/],
    ["a malformed interval", { ...base, spec: { ...base.spec, interval: "hourly" } }, /duration such as/],
    ["a timeout in hours", { ...base, spec: { ...base.spec, timeout: "1h" } }, /spec\.timeout/],
    ["an unknown provider", { ...base, spec: { ...base.spec, provider: "github" } }, /spec\.provider/],
    [
      "more than 25 exclusions",
      { ...base, spec: { ...base.spec, exclusionList: Array.from({ length: 26 }, (_, i) => `^${i}$`) } },
      /spec\.exclusionList/,
    ],
    [
      "a ServiceAccount name longer than 253 characters",
      { ...base, spec: { ...base.spec, serviceAccountName: "a".repeat(254) } },
      /spec\.serviceAccountName/,
    ],
    ["an unserved apiVersion", { ...base, apiVersion: "image.toolkit.fluxcd.io/v1alpha2" }, /apiVersion/],
    ["another kind", { ...base, kind: "ImagePolicy" }, /kind/],
  ];
  for (const [what, doc, message] of cases) {
    it(`rejects ${what} with a message naming the object and the field`, () => {
      assert.throws(
        () => parseImageRepository(doc),
        (err: unknown) =>
          err instanceof InvalidObjectError && message.test(err.message) && err.message.includes("webapp"),
      );
    });
  }
});

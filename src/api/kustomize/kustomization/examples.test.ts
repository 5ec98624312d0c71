// Examples written after the shapes Flux's Kustomization documentation and guides show for each version.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { InvalidObjectError } from "../../errors.ts";
import { patchFromJson6902, patchFromStrategicMerge } from "./convert.ts";
import { parseKustomization } from "./parse.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const v1Examples = {
  gettingStarted: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: webapp, namespace: flux-system }
spec:
  interval: 30m0s
  retryInterval: 2m0s
  timeout: 3m0s
  path: ./deploy/overlays/staging
  prune: true
  wait: true
  targetNamespace: webapp
  sourceRef:
    kind: GitRepository
    name: webapp
`,
  ociSource: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: platform, namespace: flux-system }
spec:
  interval: 10m
  prune: true
  sourceRef:
    kind: OCIRepository
    name: platform-manifests
    namespace: shared
`,
  patchesAndImages: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: webapp-prod, namespace: apps }
spec:
  interval: 5m
  path: ./deploy
  prune: true
  sourceRef: { kind: GitRepository, name: webapp }
  namePrefix: prod-
  nameSuffix: -eu
  commonMetadata:
    labels: { env: prod }
    annotations: { owner: team-web }
  images:
    - name: ghcr.io/example/webapp
      newName: registry.example.com/webapp
      newTag: 2.4.1
    - name: redis
      digest: sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3
  patches:
    - patch: |-
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: not-used
        spec:
          replicas: 3
      target:
        kind: Deployment
        labelSelector: "app.kubernetes.io/part-of=webapp"
    - patch: |
        - op: add
          path: /metadata/annotations/example.com~1tier
          value: web
      target:
        group: apps
        version: v1
        kind: Deployment
        name: "webapp-.*"
  components:
    - ../components/ingress
`,
  everyOtherField: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: tenant-a, namespace: tenants }
spec:
  interval: 1h
  path: ./tenants/a
  prune: true
  deletionPolicy: WaitForTermination
  sourceRef:
    apiVersion: source.toolkit.fluxcd.io/v1
    kind: GitRepository
    name: fleet
    namespace: flux-system
  dependsOn:
    - name: infra-controllers
      namespace: flux-system
  healthChecks:
    - apiVersion: apps/v1
      kind: Deployment
      name: backend
      namespace: tenant-a
  healthCheckExprs:
    - apiVersion: cert-manager.io/v1
      kind: Certificate
      current: status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')
      failed: status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'False')
  postBuild:
    substitute:
      cluster_env: prod
      replicas: "3"
    substituteFrom:
      - kind: ConfigMap
        name: cluster-vars
      - kind: Secret
        name: cluster-secret-vars
        optional: true
  serviceAccountName: tenant-a-reconciler
  kubeConfig:
    secretRef:
      name: tenant-a-kubeconfig
      key: value.yaml
  decryption:
    provider: sops
    secretRef: { name: sops-age }
    serviceAccountName: kms-decryptor
  suspend: false
  force: true
`,
  withStatus: `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: webapp, namespace: flux-system, generation: 4 }
spec:
  interval: 10m
  prune: true
  sourceRef: { kind: GitRepository, name: webapp }
status:
  observedGeneration: 4
  conditions:
    - type: Ready
      status: "True"
      reason: ReconciliationSucceeded
      message: "Applied revision: main@sha1:132f4e719209eb10b9485302f8593fc0e680f4fc"
      lastTransitionTime: "2024-03-01T10:00:00Z"
      observedGeneration: 4
  lastAppliedRevision: main@sha1:132f4e719209eb10b9485302f8593fc0e680f4fc
  lastAttemptedRevision: main@sha1:132f4e719209eb10b9485302f8593fc0e680f4fc
  lastAppliedOriginRevision: v2.4.1@sha1:0a1b2c3d4e5f60718293a4b5c6d7e8f901234567
  lastHandledReconcileAt: "2024-03-01T09:59:30Z"
  inventory:
    entries:
      - { id: webapp_webapp__Service, v: v1 }
      - { id: webapp_webapp_apps_Deployment, v: v1 }
`,
};

const v1beta2Example = `
apiVersion: kustomize.toolkit.fluxcd.io/v1beta2
kind: Kustomization
metadata: { name: podinfo, namespace: flux-system }
spec:
  interval: 5m0s
  path: ./kustomize
  prune: true
  sourceRef: { kind: GitRepository, name: podinfo }
  targetNamespace: podinfo
  validation: client
  patchesStrategicMerge:
    - apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: { name: podinfo }
      spec: { minReplicas: 3 }
  patchesJson6902:
    - target: { group: apps, version: v1, kind: Deployment, name: podinfo, namespace: podinfo }
      patch:
        - op: replace
          path: /spec/template/spec/containers/0/resources/limits/memory
          value: 256Mi
  postBuild:
    substitute: { cluster_region: eu-central-1 }
status:
  observedGeneration: 1
  inventory:
    entries:
      - { id: podinfo_podinfo_apps_Deployment, v: v1 }
`;

const v1beta1Example = `
apiVersion: kustomize.toolkit.fluxcd.io/v1beta1
kind: Kustomization
metadata: { name: webapp, namespace: gitops-system }
spec:
  interval: 5m
  path: "./deploy/webapp/"
  prune: true
  sourceRef: { kind: GitRepository, name: webapp }
  validation: client
  healthChecks:
    - kind: Deployment
      name: frontend
      namespace: webapp
  timeout: 2m
status:
  observedGeneration: 2
  lastAppliedRevision: main/b05a3e0b2c2c3a27f0c56f3a8e0f6c5b2c2a1a1d
  snapshot:
    checksum: 4e1b6f2d8e1a5c9b7d3e2f1a0b9c8d7e6f5a4b3c
    entries:
      - namespace: ""
        kinds: { "/v1, Kind=Namespace": Namespace }
      - namespace: webapp
        kinds: { "apps/v1, Kind=Deployment": Deployment, "/v1, Kind=Service": Service }
`;

describe("Kustomization v1 examples", () => {
  for (const [name, yaml] of Object.entries(v1Examples)) {
    it(`${name} parses as v1 and through parseKustomization unchanged`, () => {
      const doc: unknown = parse(yaml);
      const exact = v1.Kustomization.parse(doc);
      const { object, deprecated } = parseKustomization(doc);
      assert.deepEqual(object, exact);
      assert.deepEqual(deprecated, []);
    });
  }

  it("applies Flux's defaults and no others", () => {
    const { object } = parseKustomization(parse(v1Examples.ociSource));
    assert.deepEqual(object.spec, {
      interval: "10m",
      prune: true,
      sourceRef: { kind: "OCIRepository", name: "platform-manifests", namespace: "shared" },
      force: false,
    });
    assert.deepEqual(object.status, { observedGeneration: -1 });
  });

  it("keeps every documented field", () => {
    const { object } = parseKustomization(parse(v1Examples.everyOtherField));
    assert.equal(object.spec.deletionPolicy, "WaitForTermination");
    assert.deepEqual(object.spec.postBuild?.substituteFrom, [
      { kind: "ConfigMap", name: "cluster-vars", optional: false },
      { kind: "Secret", name: "cluster-secret-vars", optional: true },
    ]);
    assert.equal(object.spec.healthCheckExprs?.[0]?.kind, "Certificate");
    assert.equal(object.spec.decryption?.serviceAccountName, "kms-decryptor");
    assert.deepEqual(object.spec.kubeConfig, {
      secretRef: { name: "tenant-a-kubeconfig", key: "value.yaml" },
    });
    const patched = parseKustomization(parse(v1Examples.patchesAndImages)).object.spec;
    assert.equal(patched.patches?.[0]?.patch.split("\n")[0], "apiVersion: apps/v1");
    assert.deepEqual(patched.patches?.[1]?.target, {
      group: "apps",
      version: "v1",
      kind: "Deployment",
      name: "webapp-.*",
    });
  });
});

describe("Kustomization v1beta2 example", () => {
  it("parses as v1beta2 and converts to v1, turning the old patches into patches", () => {
    const doc = parse(v1beta2Example) as unknown;
    const exact = v1beta2.Kustomization.parse(doc);
    const { object, deprecated } = parseKustomization(doc);
    assert.equal(object.apiVersion, "kustomize.toolkit.fluxcd.io/v1");
    assert.deepEqual(object.spec.patches, [
      patchFromStrategicMerge(exact.spec.patchesStrategicMerge?.[0] ?? {}),
      patchFromJson6902(exact.spec.patchesJson6902?.[0] ?? { patch: [], target: {} }, "podinfo"),
    ]);
    assert.deepEqual(
      object.spec.patches?.[1]?.target,
      { group: "apps", version: "v1", kind: "Deployment", name: "podinfo" },
      "the namespace targetNamespace sets only after patches run is left out",
    );
    assert.deepEqual(parse(object.spec.patches?.[1]?.patch ?? ""), [
      { op: "replace", path: "/spec/template/spec/containers/0/resources/limits/memory", value: "256Mi" },
    ]);
    assert.deepEqual(object.status.inventory, exact.status.inventory);
    assert.deepEqual(deprecated.sort(), [
      "spec.patchesJson6902",
      "spec.patchesStrategicMerge",
      "spec.validation",
    ]);
  });
});

describe("Kustomization v1beta1 example", () => {
  it("parses as v1beta1 and converts to v1, dropping the snapshot", () => {
    const doc = parse(v1beta1Example) as unknown;
    assert.equal(v1beta1.Kustomization.parse(doc).status.snapshot?.entries.length, 2);
    const { object, deprecated } = parseKustomization(doc);
    assert.deepEqual(object.spec, {
      interval: "5m",
      path: "./deploy/webapp/",
      prune: true,
      sourceRef: { kind: "GitRepository", name: "webapp" },
      healthChecks: [{ kind: "Deployment", name: "frontend", namespace: "webapp" }],
      timeout: "2m",
      force: false,
    });
    assert.deepEqual(object.status, {
      observedGeneration: 2,
      lastAppliedRevision: "main/b05a3e0b2c2c3a27f0c56f3a8e0f6c5b2c2a1a1d",
    });
    assert.deepEqual(deprecated.sort(), ["spec.validation", "status.snapshot"]);
  });

  it("v1beta1 knew only GitRepository and Bucket sources", () => {
    const doc = parse(v1beta1Example) as { spec: Record<string, unknown> };
    const oci = { ...doc, spec: { ...doc.spec, sourceRef: { kind: "OCIRepository", name: "x" } } };
    assert.equal(v1beta1.Kustomization.safeParse(oci).success, false);
    assert.equal(parseKustomization(oci).object.spec.sourceRef.kind, "OCIRepository");
  });
});

describe("invalid Kustomizations", () => {
  const base = parse(v1Examples.gettingStarted) as { spec: Record<string, unknown> };
  const spec = (over: Record<string, unknown>) => ({ ...base, spec: { ...base.spec, ...over } });
  const cases: [string, unknown, RegExp][] = [
    ["no prune", { ...base, spec: { ...base.spec, prune: undefined } }, /spec\.prune/],
    ["no sourceRef", { ...base, spec: { ...base.spec, sourceRef: undefined } }, /spec\.sourceRef/],
    [
      "a HelmRepository source",
      spec({ sourceRef: { kind: "HelmRepository", name: "x" } }),
      /sourceRef\.kind/,
    ],
    ["a malformed interval", spec({ interval: "half an hour" }), /duration such as/],
    ["a malformed timeout", spec({ timeout: "-1m" }), /spec\.timeout/],
    ["an unknown deletion policy", spec({ deletionPolicy: "Keep" }), /spec\.deletionPolicy/],
    [
      "a target namespace longer than a DNS label",
      spec({ targetNamespace: "n".repeat(64) }),
      /targetNamespace/,
    ],
    ["an empty name prefix", spec({ namePrefix: "" }), /spec\.namePrefix/],
    [
      "a decryption provider other than sops",
      spec({ decryption: { provider: "vault" } }),
      /decryption\.provider/,
    ],
    [
      "variables from a kind other than ConfigMap or Secret",
      spec({ postBuild: { substituteFrom: [{ kind: "Pod", name: "x" }] } }),
      /substituteFrom\[0\]\.kind/,
    ],
    ["a patch without its text", spec({ patches: [{ target: { kind: "Service" } }] }), /patches\[0\]\.patch/],
    ["an unknown validation mode", spec({ validation: "strict" }), /spec\.validation/],
    [
      "a strategic merge patch that is not an object",
      spec({ patchesStrategicMerge: ["patch.yaml"] }),
      /patchesStrategicMerge\[0\]/,
    ],
    [
      "a JSON 6902 operation without a path",
      spec({ patchesJson6902: [{ target: { kind: "Service" }, patch: [{ op: "remove" }] }] }),
      /patchesJson6902\[0\]\.patch\[0\]\.path/,
    ],
    ["an unserved apiVersion", { ...base, apiVersion: "kustomize.toolkit.fluxcd.io/v1alpha1" }, /apiVersion/],
    ["another kind", { ...base, kind: "HelmRelease" }, /kind/],
  ];
  for (const [what, doc, message] of cases) {
    it(`rejects ${what} with a message naming the object and the field`, () => {
      assert.throws(
        () => parseKustomization(doc),
        (err: unknown) =>
          err instanceof InvalidObjectError && message.test(err.message) && err.message.includes("webapp"),
      );
    });
  }
});

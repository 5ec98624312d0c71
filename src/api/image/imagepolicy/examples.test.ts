// Examples written after the shapes Flux's ImagePolicy documentation and guides show for each version.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { InvalidObjectError } from "../../errors.ts";
import { parseImagePolicy } from "./parse.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const v1Examples = {
  digestReflection: `
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: { name: webapp, namespace: apps }
spec:
  imageRepositoryRef:
    name: webapp
  digestReflectionPolicy: IfNotPresent
  policy:
    semver:
      range: 5.1.x
`,
  crossNamespace: `
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: { name: backend, namespace: flux-system }
spec:
  imageRepositoryRef:
    name: backend
    namespace: apps
  policy:
    semver:
      range: ">=1.0.0"
`,
  releaseCandidates: `
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: { name: webapp-rc, namespace: apps }
spec:
  imageRepositoryRef: { name: webapp }
  filterTags:
    pattern: '.*-rc.*'
  policy:
    semver:
      range: '^1.x-0'
`,
  timestamps: `
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: { name: object-store, namespace: storage }
spec:
  imageRepositoryRef: { name: object-store }
  filterTags:
    pattern: '^RELEASE\\.(?P<timestamp>.*)Z$'
    extract: '$timestamp'
  policy:
    alphabetical:
      order: asc
`,
  mutableTag: `
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: { name: nightly, namespace: apps }
spec:
  imageRepositoryRef: { name: webapp }
  filterTags:
    pattern: '^latest$'
  policy:
    alphabetical: {}
  digestReflectionPolicy: Always
  interval: 10m
  suspend: true
`,
  withStatus: `
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: { name: webapp, namespace: apps, generation: 3 }
spec:
  imageRepositoryRef: { name: webapp }
  policy:
    numerical:
      order: desc
status:
  latestRef:
    name: ghcr.io/example/webapp
    tag: "1700000300"
    digest: sha256:2d9a00b3981628a533ff43352193b1838b0a4bf6b0033444286f563205e51a2c
  observedPreviousRef:
    name: ghcr.io/example/webapp
    tag: "1700000200"
  observedGeneration: 3
  conditions:
    - type: Ready
      status: "True"
      reason: Succeeded
      message: "Latest image tag for 'ghcr.io/example/webapp' updated from 1700000200 to 1700000300"
      lastTransitionTime: "2025-06-01T10:00:00Z"
      observedGeneration: 3
  lastHandledReconcileAt: "2025-06-01T09:59:00Z"
`,
};

// Flux 2.0's v1beta2 guide, with the status its controller wrote, and a Flux 2.5 object with both forms.
const v1beta2Examples = {
  latestImageOnly: `
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImagePolicy
metadata: { name: podinfo, namespace: flux-system }
spec:
  imageRepositoryRef:
    name: podinfo
  policy:
    semver:
      range: 5.1.x
status:
  latestImage: ghcr.io/stefanprodan/podinfo:5.1.4
  observedPreviousImage: ghcr.io/stefanprodan/podinfo:5.1.3
  observedGeneration: 1
`,
  bothForms: `
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImagePolicy
metadata: { name: podinfo, namespace: flux-system }
spec:
  imageRepositoryRef:
    name: podinfo
  policy:
    semver:
      range: ">=6.0.0"
  digestReflectionPolicy: Always
  interval: 5m
status:
  latestImage: ghcr.io/stefanprodan/podinfo:6.5.0
  latestRef:
    name: ghcr.io/stefanprodan/podinfo
    tag: 6.5.0
    digest: sha256:4b1c8d6e0a8f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a
  observedGeneration: 2
`,
};

// The v1beta1 image update guide's policies: a semver range, and timestamped main-branch builds.
const v1beta1Examples = {
  semver: `
apiVersion: image.toolkit.fluxcd.io/v1beta1
kind: ImagePolicy
metadata: { name: podinfo, namespace: flux-system }
spec:
  imageRepositoryRef:
    name: podinfo
  policy:
    semver:
      range: 5.0.x
`,
  mainBranchBuilds: `
apiVersion: image.toolkit.fluxcd.io/v1beta1
kind: ImagePolicy
metadata: { name: podinfo-main, namespace: flux-system }
spec:
  imageRepositoryRef:
    name: podinfo
  filterTags:
    pattern: '^main-[a-fA-F0-9]+-(?P<ts>.*)'
    extract: '$ts'
  policy:
    numerical:
      order: asc
`,
  alphabeticalDesc: `
apiVersion: image.toolkit.fluxcd.io/v1beta1
kind: ImagePolicy
metadata: { name: oldest-release, namespace: flux-system }
spec:
  imageRepositoryRef:
    name: podinfo
  filterTags:
    pattern: '^release-'
  policy:
    alphabetical:
      order: desc
status:
  latestImage: ghcr.io/stefanprodan/podinfo:release-a
`,
};

describe("ImagePolicy v1 examples", () => {
  for (const [name, yaml] of Object.entries(v1Examples)) {
    it(`${name} parses as v1 and through parseImagePolicy unchanged`, () => {
      const doc: unknown = parse(yaml);
      const exact = v1.ImagePolicy.parse(doc);
      const { object, deprecated } = parseImagePolicy(doc);
      assert.deepEqual(object, exact);
      assert.deepEqual(deprecated, []);
    });
  }

  it("applies Flux's defaults", () => {
    const { object } = parseImagePolicy(parse(v1Examples.crossNamespace));
    assert.equal(object.spec.digestReflectionPolicy, "Never");
    assert.deepEqual(object.status, { observedGeneration: -1 });
    const mutable = parseImagePolicy(parse(v1Examples.mutableTag)).object;
    assert.deepEqual(mutable.spec.policy, { alphabetical: { order: "asc" } });
  });

  it("keeps the filter, the reference and the status", () => {
    const timestamps = parseImagePolicy(parse(v1Examples.timestamps)).object;
    assert.deepEqual(timestamps.spec.filterTags, {
      pattern: "^RELEASE\\.(?P<timestamp>.*)Z$",
      extract: "$timestamp",
    });
    const cross = parseImagePolicy(parse(v1Examples.crossNamespace)).object;
    assert.deepEqual(cross.spec.imageRepositoryRef, { name: "backend", namespace: "apps" });
    const { status } = parseImagePolicy(parse(v1Examples.withStatus)).object;
    assert.equal(status.latestRef?.tag, "1700000300");
    assert.equal(status.observedPreviousRef?.digest, undefined);
  });
});

describe("ImagePolicy v1beta2 examples", () => {
  it("a status an older controller wrote becomes latestRef and observedPreviousRef", () => {
    const doc: unknown = parse(v1beta2Examples.latestImageOnly);
    assert.equal(v1beta2.ImagePolicy.parse(doc).status.latestImage, "ghcr.io/stefanprodan/podinfo:5.1.4");
    const { object, deprecated } = parseImagePolicy(doc);
    assert.equal(object.apiVersion, "image.toolkit.fluxcd.io/v1");
    assert.deepEqual(object.status, {
      latestRef: { name: "ghcr.io/stefanprodan/podinfo", tag: "5.1.4" },
      observedPreviousRef: { name: "ghcr.io/stefanprodan/podinfo", tag: "5.1.3" },
      observedGeneration: 1,
    });
    assert.deepEqual(deprecated.sort(), ["status.latestImage", "status.observedPreviousImage"]);
  });

  it("a status with both forms keeps latestRef and reports nothing", () => {
    const doc: unknown = parse(v1beta2Examples.bothForms);
    const exact = v1beta2.ImagePolicy.parse(doc);
    const { object, deprecated } = parseImagePolicy(doc);
    assert.deepEqual(object.spec, exact.spec);
    assert.deepEqual(object.status.latestRef, exact.status.latestRef);
    assert.equal("latestImage" in object.status, false);
    assert.deepEqual(deprecated, []);
  });
});

describe("ImagePolicy v1beta1 guide", () => {
  for (const [name, yaml] of Object.entries(v1beta1Examples)) {
    it(`${name} parses as v1beta1 and converts to v1 with v1's defaults`, () => {
      const doc: unknown = parse(yaml);
      const exact = v1beta1.ImagePolicy.parse(doc);
      const { object } = parseImagePolicy(doc);
      assert.deepEqual(object.spec, { ...exact.spec, digestReflectionPolicy: "Never" });
    });
  }

  it("orders extracted timestamps numerically", () => {
    const { object } = parseImagePolicy(parse(v1beta1Examples.mainBranchBuilds));
    assert.deepEqual(object.spec.policy, { numerical: { order: "asc" } });
    assert.deepEqual(object.spec.filterTags, { pattern: "^main-[a-fA-F0-9]+-(?P<ts>.*)", extract: "$ts" });
  });

  it("turns latestImage into latestRef and reports it", () => {
    const { object, deprecated } = parseImagePolicy(parse(v1beta1Examples.alphabeticalDesc));
    assert.deepEqual(object.status.latestRef, { name: "ghcr.io/stefanprodan/podinfo", tag: "release-a" });
    assert.deepEqual(deprecated, ["status.latestImage"]);
  });
});

describe("invalid ImagePolicies", () => {
  const base = parse(v1Examples.digestReflection) as { spec: Record<string, unknown> };
  const withSpec = (spec: Record<string, unknown>) => ({ ...base, spec: { ...base.spec, ...spec } });
  const cases: [string, unknown, RegExp][] = [
    ["no policy", { ...base, spec: { imageRepositoryRef: { name: "webapp" } } }, /spec\.policy/],
    ["an empty policy", withSpec({ policy: {} }), /exactly one of semver, alphabetical or numerical/],
    [
      "two policies",
      withSpec({ policy: { semver: { range: "1.x" }, numerical: { order: "asc" } } }),
      /exactly one of semver, alphabetical or numerical/,
    ],
    ["a semver policy without a range", withSpec({ policy: { semver: {} } }), /spec\.policy\.semver\.range/],
    [
      "an unknown order",
      withSpec({ policy: { alphabetical: { order: "newest" } } }),
      /spec\.policy\.alphabetical\.order/,
    ],
    [
      "no image repository",
      { ...base, spec: { policy: { semver: { range: "1.x" } } } },
      /imageRepositoryRef/,
    ],
    ["an unknown digest policy", withSpec({ digestReflectionPolicy: "Sometimes" }), /digestReflectionPolicy/],
    [
      "an interval without digestReflectionPolicy Always",
      withSpec({ interval: "5m" }),
      /spec\.interval is only accepted when spec\.digestReflectionPolicy is set to 'Always'/,
    ],
    [
      "digestReflectionPolicy Always without an interval",
      withSpec({ digestReflectionPolicy: "Always" }),
      /spec\.interval must be set when spec\.digestReflectionPolicy is set to 'Always'/,
    ],
    ["a malformed interval", withSpec({ digestReflectionPolicy: "Always", interval: "often" }), /duration/],
    ["an unserved apiVersion", { ...base, apiVersion: "image.toolkit.fluxcd.io/v1alpha1" }, /apiVersion/],
  ];
  for (const [what, doc, message] of cases) {
    it(`rejects ${what} with a message naming the object and the field`, () => {
      assert.throws(
        () => parseImagePolicy(doc),
        (err: unknown) =>
          err instanceof InvalidObjectError && message.test(err.message) && err.message.includes("webapp"),
      );
    });
  }

  it("Flux's own v1beta1 and v1beta2 accepted two policies; Sluice refuses them in every version", () => {
    const two = parse(v1beta1Examples.semver) as { spec: { policy: Record<string, unknown> } };
    two.spec.policy["alphabetical"] = { order: "asc" };
    assert.equal(v1beta1.ImagePolicy.safeParse(two).success, true);
    assert.throws(() => parseImagePolicy(two), /exactly one of semver, alphabetical or numerical/);
  });
});

// Examples written after the shapes Flux's ImageUpdateAutomation documentation and guides show for each version.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { InvalidObjectError } from "../../errors.ts";
import { parseImageUpdateAutomation } from "./parse.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const v1Examples = {
  basic: `
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata: { name: podinfo-update, namespace: default }
spec:
  interval: 30m
  sourceRef:
    kind: GitRepository
    name: podinfo
  git:
    commit:
      author:
        email: fluxcdbot@users.noreply.github.com
        name: fluxcdbot
    push:
      branch: main
  update:
    path: ./
`,
  everyField: `
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata: { name: fleet, namespace: flux-system }
spec:
  interval: 5m
  suspend: false
  sourceRef:
    apiVersion: source.toolkit.fluxcd.io/v1
    kind: GitRepository
    name: fleet-infra
    namespace: git-sources
  policySelector:
    matchLabels:
      team: web
    matchExpressions:
      - { key: tier, operator: NotIn, values: [experimental] }
      - { key: automated, operator: Exists }
  git:
    checkout:
      ref:
        name: refs/heads/main
    commit:
      author:
        name: fluxcdbot
        email: fluxcdbot@users.noreply.github.com
      signingKey:
        secretRef:
          name: signing-key
      messageTemplate: |
        Automated image update by {{ .AutomationObject }} for {{ .Values.env }}

        {{ range .Changed.Changes -}}
        - {{ .OldValue }} -> {{ .NewValue }}
        {{ end -}}
      messageTemplateValues:
        env: production
    push:
      branch: image-updates
      refspec: refs/heads/image-updates:refs/heads/main
      options:
        merge_request.create: ""
        merge_request.target: main
  update:
    path: ./clusters/production
    strategy: Setters
`,
  withStatus: `
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageUpdateAutomation
metadata: { name: podinfo-update, namespace: default, generation: 2 }
spec:
  interval: 30m
  sourceRef: { name: podinfo }
  git:
    commit:
      author: { email: fluxcdbot@users.noreply.github.com }
status:
  conditions:
    - type: Ready
      status: "True"
      reason: Succeeded
      message: "repository up-to-date"
      lastTransitionTime: "2025-06-01T10:00:00Z"
      observedGeneration: 2
  lastAutomationRunTime: "2025-06-01T10:00:00Z"
  lastPushCommit: 0123456789abcdef0123456789abcdef01234567
  lastPushTime: "2025-06-01T09:30:00Z"
  observedGeneration: 2
  observedPolicies:
    podinfo-policy:
      name: ghcr.io/stefanprodan/podinfo
      tag: 5.0.3
    podinfo-pinned:
      name: ghcr.io/stefanprodan/podinfo
      tag: 5.0.0
      digest: sha256:ecd1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f
  observedSourceRevision: main@sha1:0123456789abcdef0123456789abcdef01234567
  lastHandledReconcileAt: "2025-06-01T09:59:00Z"
`,
};

const v1beta2Example = `
apiVersion: image.toolkit.fluxcd.io/v1beta2
kind: ImageUpdateAutomation
metadata: { name: flux-system, namespace: flux-system }
spec:
  interval: 30m
  sourceRef:
    kind: GitRepository
    name: flux-system
  git:
    checkout:
      ref:
        branch: main
    commit:
      author:
        email: fluxcdbot@users.noreply.github.com
        name: fluxcdbot
      messageTemplate: "{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}"
    push:
      branch: main
  update:
    path: ./clusters/my-cluster
    strategy: Setters
`;

// The v1beta1 image update guide.
const v1beta1Guide = `
apiVersion: image.toolkit.fluxcd.io/v1beta1
kind: ImageUpdateAutomation
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  sourceRef:
    kind: GitRepository
    name: flux-system
  git:
    checkout:
      ref:
        branch: main
    commit:
      author:
        email: fluxcdbot@users.noreply.github.com
        name: fluxcdbot
      messageTemplate: '{{range .Updated.Images}}{{println .}}{{end}}'
    push:
      branch: main
  update:
    path: ./clusters/my-cluster
    strategy: Setters
`;

describe("ImageUpdateAutomation v1 examples", () => {
  for (const [name, yaml] of Object.entries(v1Examples)) {
    it(`${name} parses as v1 and through parseImageUpdateAutomation unchanged`, () => {
      const doc: unknown = parse(yaml);
      const exact = v1.ImageUpdateAutomation.parse(doc);
      const { object, deprecated } = parseImageUpdateAutomation(doc);
      assert.deepEqual(object, exact);
      assert.deepEqual(deprecated, []);
    });
  }

  it("applies Flux's defaults", () => {
    const { object } = parseImageUpdateAutomation(parse(v1Examples.basic));
    assert.deepEqual(object.spec.update, { path: "./", strategy: "Setters" });
    assert.deepEqual(object.status, { observedGeneration: -1 });
    assert.equal(object.spec.policySelector, undefined, "every ImagePolicy of the namespace");
    const bare = parseImageUpdateAutomation(parse(v1Examples.withStatus)).object;
    assert.deepEqual(bare.spec.sourceRef, { name: "podinfo", kind: "GitRepository" });
    assert.deepEqual(bare.spec.update, { strategy: "Setters" });
  });

  it("keeps every documented field", () => {
    const { spec } = parseImageUpdateAutomation(parse(v1Examples.everyField)).object;
    assert.deepEqual(spec.sourceRef, {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      name: "fleet-infra",
      namespace: "git-sources",
    });
    assert.deepEqual(spec.policySelector, {
      matchLabels: { team: "web" },
      matchExpressions: [
        { key: "tier", operator: "NotIn", values: ["experimental"] },
        { key: "automated", operator: "Exists" },
      ],
    });
    assert.deepEqual(spec.git.checkout, { ref: { name: "refs/heads/main" } });
    assert.deepEqual(spec.git.commit.signingKey, { secretRef: { name: "signing-key" } });
    assert.deepEqual(spec.git.commit.messageTemplateValues, { env: "production" });
    assert.match(spec.git.commit.messageTemplate ?? "", /\{\{ range \.Changed\.Changes -\}\}/);
    assert.deepEqual(spec.git.push, {
      branch: "image-updates",
      refspec: "refs/heads/image-updates:refs/heads/main",
      options: { "merge_request.create": "", "merge_request.target": "main" },
    });
    assert.deepEqual(spec.update, { path: "./clusters/production", strategy: "Setters" });
  });

  it("keeps the observed policies and the last push", () => {
    const { status } = parseImageUpdateAutomation(parse(v1Examples.withStatus)).object;
    assert.deepEqual(status.observedPolicies?.["podinfo-policy"], {
      name: "ghcr.io/stefanprodan/podinfo",
      tag: "5.0.3",
    });
    assert.match(status.observedPolicies?.["podinfo-pinned"]?.digest ?? "", /^sha256:/);
    assert.equal(status.lastPushCommit, "0123456789abcdef0123456789abcdef01234567");
    assert.equal(status.observedSourceRevision, "main@sha1:0123456789abcdef0123456789abcdef01234567");
  });
});

describe("ImageUpdateAutomation v1beta2 example", () => {
  it("parses as v1beta2 and converts to v1 without losing anything", () => {
    const doc: unknown = parse(v1beta2Example);
    const exact = v1beta2.ImageUpdateAutomation.parse(doc);
    const { object, deprecated } = parseImageUpdateAutomation(doc);
    assert.equal(object.apiVersion, "image.toolkit.fluxcd.io/v1");
    assert.deepEqual(object.spec, exact.spec);
    assert.deepEqual(object.status, exact.status);
    assert.deepEqual(deprecated, []);
  });
});

describe("ImageUpdateAutomation v1beta1 guide", () => {
  it("parses as v1beta1 and converts to v1 unchanged, its .Updated template included", () => {
    const doc: unknown = parse(v1beta1Guide);
    const exact = v1beta1.ImageUpdateAutomation.parse(doc);
    const { object, deprecated } = parseImageUpdateAutomation(doc);
    assert.equal(object.apiVersion, "image.toolkit.fluxcd.io/v1");
    assert.deepEqual(object.spec, exact.spec);
    assert.deepEqual(object.spec, {
      interval: "1m0s",
      sourceRef: { kind: "GitRepository", name: "flux-system" },
      git: {
        checkout: { ref: { branch: "main" } },
        commit: {
          author: { email: "fluxcdbot@users.noreply.github.com", name: "fluxcdbot" },
          messageTemplate: "{{range .Updated.Images}}{{println .}}{{end}}",
        },
        push: { branch: "main" },
      },
      update: { path: "./clusters/my-cluster", strategy: "Setters" },
    });
    assert.deepEqual(object.status, { observedGeneration: -1 });
    assert.deepEqual(deprecated, []);
  });
});

describe("invalid ImageUpdateAutomations", () => {
  const base = parse(v1Examples.basic) as { metadata: unknown; spec: Record<string, unknown> };
  const withSpec = (spec: Record<string, unknown>) => ({ ...base, spec: { ...base.spec, ...spec } });
  const author = { email: "bot@example.com" };
  const cases: [string, unknown, RegExp][] = [
    ["no sourceRef", withSpec({ sourceRef: undefined }), /spec\.sourceRef/],
    [
      "a source of another kind",
      withSpec({ sourceRef: { kind: "Bucket", name: "b" } }),
      /spec\.sourceRef\.kind/,
    ],
    ["no interval", withSpec({ interval: undefined }), /spec\.interval/],
    ["a malformed interval", withSpec({ interval: "hourly" }), /duration such as/],
    ["no git", withSpec({ git: undefined }), /spec\.git/],
    ["git without commit", withSpec({ git: { push: { branch: "main" } } }), /spec\.git\.commit/],
    ["a commit without an author email", withSpec({ git: { commit: { author: { name: "bot" } } } }), /email/],
    [
      "a checkout without a ref",
      withSpec({ git: { checkout: {}, commit: { author } } }),
      /spec\.git\.checkout\.ref/,
    ],
    [
      "a signing key without a Secret",
      withSpec({ git: { commit: { author, signingKey: {} } } }),
      /spec\.git\.commit\.signingKey\.secretRef/,
    ],
    ["an unknown strategy", withSpec({ update: { strategy: "Kustomize" } }), /spec\.update\.strategy/],
    [
      "an unknown selector operator",
      withSpec({ policySelector: { matchExpressions: [{ key: "a", operator: "Equals" }] } }),
      /spec\.policySelector\.matchExpressions\[0\]\.operator/,
    ],
    ["an unserved apiVersion", { ...base, apiVersion: "image.toolkit.fluxcd.io/v1alpha2" }, /apiVersion/],
    ["another kind", { ...base, kind: "ImagePolicy" }, /kind/],
  ];
  for (const [what, doc, message] of cases) {
    it(`rejects ${what} with a message naming the object and the field`, () => {
      assert.throws(
        () => parseImageUpdateAutomation(doc),
        (err: unknown) =>
          err instanceof InvalidObjectError &&
          message.test(err.message) &&
          err.message.includes("podinfo-update"),
      );
    });
  }
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseImageUpdateAutomation } from "./parse.ts";
import { convertToV1 } from "./convert.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const condition = {
  type: "Ready",
  status: "True" as const,
  reason: "Succeeded",
  message: "repository up-to-date",
  lastTransitionTime: "2024-03-01T08:00:00Z",
};

const metadata = { name: "apps", namespace: "flux-system", generation: 3 };

const git = {
  checkout: { ref: { branch: "main" } },
  commit: {
    author: { name: "fluxcdbot", email: "fluxcdbot@users.noreply.github.com" },
    signingKey: { secretRef: { name: "signing-key" } },
    messageTemplate: "Automated image update",
  },
  push: { branch: "image-updates", refspec: "refs/heads/image-updates:refs/heads/main" },
};

const baseStatus = {
  observedGeneration: 3,
  conditions: [condition],
  lastAutomationRunTime: "2024-03-01T08:00:00Z",
  lastPushCommit: "0123456789abcdef0123456789abcdef01234567",
  lastPushTime: "2024-03-01T07:00:00Z",
  lastHandledReconcileAt: "2024-03-01T06:59:00Z",
};

describe("v1beta1 convertToV1", () => {
  const obj = (): v1beta1.ImageUpdateAutomation =>
    v1beta1.ImageUpdateAutomation.parse({
      apiVersion: v1beta1.API_VERSION,
      kind: "ImageUpdateAutomation",
      metadata,
      spec: {
        sourceRef: { kind: "GitRepository", name: "fleet", namespace: "flux-system" },
        git,
        interval: "1m",
        update: { strategy: "Setters", path: "./clusters/prod" },
        suspend: false,
      },
      status: baseStatus,
    });

  it("keeps every field, since v1 kept every v1beta1 field", () => {
    const original = obj();
    const { object, deprecated } = convertToV1(original);
    assert.equal(object.apiVersion, "image.toolkit.fluxcd.io/v1");
    assert.deepEqual(object.metadata, original.metadata);
    assert.deepEqual(object.spec, original.spec);
    assert.deepEqual(object.status, original.status);
    assert.deepEqual(deprecated, []);
  });

  it("gets the same result through parseImageUpdateAutomation", () => {
    const original = obj();
    assert.deepEqual(parseImageUpdateAutomation(original), convertToV1(original));
  });
});

describe("v1beta2 convertToV1", () => {
  it("keeps the selector, template values, push options and observed policies", () => {
    const original = v1beta2.ImageUpdateAutomation.parse({
      apiVersion: v1beta2.API_VERSION,
      kind: "ImageUpdateAutomation",
      metadata,
      spec: {
        sourceRef: { name: "fleet" },
        git: {
          ...git,
          commit: { ...git.commit, messageTemplateValues: { env: "prod" } },
          push: { branch: "auto", options: { "merge_request.create": "" } },
        },
        interval: "5m",
        policySelector: {
          matchLabels: { team: "web" },
          matchExpressions: [{ key: "tier", operator: "In", values: ["frontend"] }],
        },
      },
      status: {
        ...baseStatus,
        observedPolicies: { web: { name: "ghcr.io/example/web", tag: "1.2.3" } },
        observedSourceRevision: "main@sha1:0123456789abcdef0123456789abcdef01234567",
      },
    });
    const { object, deprecated } = convertToV1(original);
    assert.deepEqual(object.spec, original.spec);
    assert.deepEqual(object.spec.sourceRef, { name: "fleet", kind: "GitRepository" });
    assert.deepEqual(object.spec.update, { strategy: "Setters" });
    assert.deepEqual(object.status, original.status);
    assert.deepEqual(deprecated, []);
  });
});

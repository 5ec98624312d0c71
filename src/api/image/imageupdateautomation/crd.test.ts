import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crdContract, schemaAt, servedSchema } from "../../crd.test-support.ts";
import { imageUpdateAutomationCrd } from "./crd.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const current = ["Ready", "Status", "Last run (wide)", "Age"];

crdContract(imageUpdateAutomationCrd, {
  group: "image.toolkit.fluxcd.io",
  kind: "ImageUpdateAutomation",
  plural: "imageupdateautomations",
  shortNames: ["iua", "imgupd", "imgauto"],
  categories: ["all", "fluxcd"],
  component: "image-automation-controller",
  versions: { v1, v1beta2, v1beta1 },
  printerColumns: { v1: current, v1beta2: current, v1beta1: ["Last run"] },
  columnPaths: { "Last run": ".status.lastAutomationRunTime" },
  required: {
    // Flux left git optional; nothing can be committed without an author, so Sluice requires it.
    ".spec": ["sourceRef", "git", "interval"],
    // Flux also lists kind, which has a default.
    ".spec.sourceRef": ["name"],
    ".spec.git": ["commit"],
    ".spec.git.checkout": ["ref"],
    ".spec.git.commit": ["author"],
    ".spec.git.commit.author": ["email"],
    ".spec.git.commit.signingKey": ["secretRef"],
    ".spec.policySelector.matchExpressions[]": ["key", "operator"],
    ".status.observedPolicies{}": ["name", "tag"],
  },
  defaults: {
    ".spec.sourceRef.kind": "GitRepository",
    ".spec.update": { strategy: "Setters" },
    ".spec.update.strategy": "Setters",
    // An empty path means the repository root.
    ".spec.update.path": undefined,
    // No policySelector means every ImagePolicy of the namespace.
    ".spec.policySelector": undefined,
  },
  deprecatedFields: [],
});

describe("ImageUpdateAutomation CRD schema", () => {
  const served = servedSchema(imageUpdateAutomationCrd);

  it("takes Flux's enums and interval pattern", () => {
    assert.deepEqual(schemaAt(served, ".spec.sourceRef.kind")?.enum, ["GitRepository"]);
    assert.deepEqual(schemaAt(served, ".spec.update.strategy")?.enum, ["Setters"]);
    assert.equal(schemaAt(served, ".spec.interval")?.pattern, "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$");
  });

  it("serves the policy selector as an atomic metav1.LabelSelector", () => {
    const selector = schemaAt(served, ".spec.policySelector");
    assert.equal(selector?.["x-kubernetes-map-type"], "atomic");
    assert.equal(
      schemaAt(served, ".spec.policySelector.matchExpressions")?.["x-kubernetes-list-type"],
      "atomic",
    );
    assert.deepEqual(schemaAt(served, ".spec.policySelector.matchExpressions[].operator")?.enum, [
      "In",
      "NotIn",
      "Exists",
      "DoesNotExist",
    ]);
    assert.equal(schemaAt(served, ".spec.policySelector.matchLabels{}")?.type, "string");
  });

  it("checks out any reference a GitRepository can name", () => {
    const ref = schemaAt(served, ".spec.git.checkout.ref");
    assert.deepEqual(Object.keys(ref?.properties ?? {}).sort(), [
      "branch",
      "commit",
      "name",
      "semver",
      "tag",
    ]);
  });
});

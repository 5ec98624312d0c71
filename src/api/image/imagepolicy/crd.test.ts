import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crdContract, schemaAt, servedSchema } from "../../crd.test-support.ts";
import { imagePolicyCrd } from "./crd.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const current = ["Image", "Tag", "Ready", "Status", "Age"];

crdContract(imagePolicyCrd, {
  group: "image.toolkit.fluxcd.io",
  kind: "ImagePolicy",
  plural: "imagepolicies",
  shortNames: ["imgpol", "imagepol"],
  categories: ["all", "fluxcd"],
  component: "image-reflector-controller",
  versions: { v1, v1beta2, v1beta1 },
  printerColumns: { v1: current, v1beta2: current, v1beta1: ["LatestImage"] },
  columnPaths: {
    Image: ".status.latestRef.name",
    Tag: ".status.latestRef.tag",
    LatestImage: ".status.latestImage",
  },
  required: {
    ".spec": ["imageRepositoryRef", "policy"],
    ".spec.policy.semver": ["range"],
    ".status.latestRef": ["name", "tag"],
  },
  defaults: {
    ".spec.digestReflectionPolicy": "Never",
    ".spec.policy.alphabetical.order": "asc",
    ".spec.policy.numerical.order": "asc",
    // An interval is only allowed with Always.
    ".spec.interval": undefined,
  },
  // The string forms older versions reported.
  deprecatedFields: [".status.latestImage", ".status.observedPreviousImage"],
});

describe("ImagePolicy CRD schema", () => {
  const served = servedSchema(imagePolicyCrd);

  it("validates with Flux's interval rules and Sluice's one-policy rule in CEL", () => {
    assert.deepEqual(
      schemaAt(served, ".spec")?.["x-kubernetes-validations"]?.map((r) => r.message),
      [
        "spec.interval is only accepted when spec.digestReflectionPolicy is set to 'Always'",
        "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'",
      ],
    );
    assert.deepEqual(schemaAt(served, ".spec.policy")?.["x-kubernetes-validations"], [
      {
        rule: "[has(self.semver), has(self.alphabetical), has(self.numerical)].exists_one(x, x)",
        message: "exactly one of semver, alphabetical or numerical must be set",
      },
    ]);
  });

  it("keeps the string forms older versions reported", () => {
    for (const field of [".status.latestImage", ".status.observedPreviousImage"])
      assert.equal(schemaAt(served, field)?.type, "string", field);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { schemaAt, servedSchema } from "../../crd.test-support.ts";
import { notificationCrdContract } from "../crd.test-support.ts";
import { receiverCrd } from "./crd.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

notificationCrdContract(receiverCrd, {
  kind: "Receiver",
  plural: "receivers",
  versions: { v1, v1beta2, v1beta1 },
  staticVersions: [],
  printerColumns: {
    v1: ["Age", "Ready", "Status"],
    v1beta2: ["Age", "Ready", "Status"],
    v1beta1: ["Ready", "Status", "Age"],
  },
  required: {
    ".spec": ["type", "resources", "secretRef"],
    ".spec.resources[]": ["kind", "name"],
    ".spec.secretRef": ["name"],
  },
  defaults: { ".spec.interval": "10m", ".status": { observedGeneration: -1 } },
  deprecatedFields: [".status.url"],
});

describe("Receiver CRD schema", () => {
  const served = servedSchema(receiverCrd);

  it("offers Flux's receiver types and Sluice's gitea and distribution, nothing else", () => {
    const types = schemaAt(served, ".spec.type")?.enum ?? [];
    assert.ok(types.includes("gitea"));
    assert.ok(types.includes("cdevents"));
    assert.ok(types.includes("distribution"));
    assert.equal(types.includes("registry"), false);
  });

  it("checks Flux's wildcard rules for resources in CEL", () => {
    assert.deepEqual(
      schemaAt(served, ".spec.resources[]")?.["x-kubernetes-validations"]?.map((r) => r.message),
      ["matchLabels requires name to be '*'", "namespace '*' requires name to be '*'"],
    );
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { schemaAt, servedSchema } from "../../crd.test-support.ts";
import { notificationCrdContract } from "../crd.test-support.ts";
import { providerCrd } from "./crd.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";
import * as v1beta3 from "./v1beta3.ts";

const legacyStatus = [
  ".status",
  ".status.observedGeneration",
  ".status.conditions",
  ".status.lastHandledReconcileAt",
];

notificationCrdContract(providerCrd, {
  kind: "Provider",
  plural: "providers",
  versions: { v1beta3, v1beta2, v1beta1 },
  staticVersions: ["v1beta3"],
  printerColumns: {
    v1beta3: ["Age"],
    v1beta2: ["Age", "Ready", "Status"],
    v1beta1: ["Ready", "Status", "Age"],
  },
  required: { ".spec": ["type"], ".spec.secretRef": ["name"] },
  defaults: {},
  deprecatedFields: [".spec.interval", ".spec.proxy", ...legacyStatus],
});

describe("Provider CRD schema", () => {
  const served = servedSchema(providerCrd);

  it("allows commitStatusExpr only for git providers, in CEL", () => {
    const rules = schemaAt(served, ".spec")?.["x-kubernetes-validations"] ?? [];
    assert.equal(rules.length, 1);
    assert.match(rules[0]?.rule ?? "", /self\.type == 'azuredevops' \|\| !has\(self\.commitStatusExpr\)$/);
  });

  it("keeps Flux's duration patterns: interval with hours, timeout without", () => {
    assert.equal(schemaAt(served, ".spec.timeout")?.pattern, "^([0-9]+(\\.[0-9]+)?(ms|s|m))+$");
    assert.equal(schemaAt(served, ".spec.interval")?.pattern, "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$");
  });
});

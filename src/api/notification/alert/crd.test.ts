import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { schemaAt, servedSchema } from "../../crd.test-support.ts";
import { notificationCrdContract } from "../crd.test-support.ts";
import { alertCrd } from "./crd.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";
import * as v1beta3 from "./v1beta3.ts";

notificationCrdContract(alertCrd, {
  kind: "Alert",
  plural: "alerts",
  versions: { v1beta3, v1beta2, v1beta1 },
  staticVersions: ["v1beta3"],
  printerColumns: {
    v1beta3: ["Age"],
    v1beta2: ["Age", "Ready", "Status"],
    v1beta1: ["Ready", "Status", "Age"],
  },
  required: {
    ".spec": ["providerRef", "eventSources"],
    ".spec.providerRef": ["name"],
    ".spec.eventSources[]": ["kind", "name"],
  },
  defaults: { ".spec.eventSeverity": "info" },
  deprecatedFields: [
    ".spec.summary",
    ".status",
    ".status.observedGeneration",
    ".status.conditions",
    ".status.lastHandledReconcileAt",
  ],
});

describe("Alert CRD schema", () => {
  it("limits the summary to 255 characters and event severity to info and error", () => {
    const served = servedSchema(alertCrd);
    assert.equal(schemaAt(served, ".spec.summary")?.maxLength, 255);
    assert.deepEqual(schemaAt(served, ".spec.eventSeverity")?.enum, ["info", "error"]);
  });
});

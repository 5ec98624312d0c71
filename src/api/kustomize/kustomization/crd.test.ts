import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crdContract, schemaAt, servedSchema } from "../../crd.test-support.ts";
import { kustomizationCrd } from "./crd.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

crdContract(kustomizationCrd, {
  group: "kustomize.toolkit.fluxcd.io",
  kind: "Kustomization",
  plural: "kustomizations",
  shortNames: ["ks"],
  categories: ["all", "fluxcd"],
  component: "kustomize-controller",
  versions: { v1, v1beta2, v1beta1 },
  printerColumns: {
    v1: ["Age", "Ready", "Status"],
    v1beta2: ["Age", "Ready", "Status"],
    v1beta1: ["Ready", "Status", "Age"],
  },
  columnPaths: {},
  // What every version requires, and no more.
  required: { ".spec": ["sourceRef", "interval", "prune"] },
  defaults: {
    ".spec.force": false,
    ".spec.postBuild.substituteFrom[].optional": false,
    // An empty path means the artifact root; an empty timeout means the interval.
    ".spec.path": undefined,
    ".spec.timeout": undefined,
  },
  // The fields v1 dropped.
  deprecatedFields: [
    ".spec.validation",
    ".spec.patchesStrategicMerge",
    ".spec.patchesJson6902",
    ".status.snapshot",
  ],
});

describe("Kustomization CRD schema", () => {
  it("keeps old strategic merge patches and JSON 6902 values as free-form JSON", () => {
    const served = servedSchema(kustomizationCrd);
    assert.deepEqual(schemaAt(served, ".spec.patchesStrategicMerge[]"), {
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
    });
    const operation = schemaAt(served, ".spec.patchesJson6902[].patch[]");
    const value = schemaAt(served, ".spec.patchesJson6902[].patch[].value");
    assert.equal(value?.["x-kubernetes-preserve-unknown-fields"], true);
    assert.equal(value?.nullable, true, "so that `op: add` with `value: null` keeps its value");
    assert.deepEqual(operation?.required, ["op", "path"]);
  });
});

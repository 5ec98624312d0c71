import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crdContract, schemaAt, servedSchema } from "../../crd.test-support.ts";
import { imageRepositoryCrd } from "./crd.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

const current = ["Image", "Tags", "Ready", "Status", "Last scan (wide)", "Age"];

crdContract(imageRepositoryCrd, {
  group: "image.toolkit.fluxcd.io",
  kind: "ImageRepository",
  plural: "imagerepositories",
  shortNames: ["imgrepo", "imagerepo"],
  categories: ["all", "fluxcd"],
  component: "image-reflector-controller",
  versions: { v1, v1beta2, v1beta1 },
  printerColumns: { v1: current, v1beta2: current, v1beta1: ["Last scan", "Tags"] },
  columnPaths: {
    Image: ".spec.image",
    Tags: ".status.lastScanResult.tagCount",
    "Last scan": ".status.lastScanResult.scanTime",
  },
  required: { ".spec": ["image", "interval"], ".status.lastScanResult": ["tagCount"] },
  defaults: {
    ".spec.exclusionList": ["^.*\\.sig$"],
    ".spec.provider": "generic",
    // An empty timeout means the interval.
    ".spec.timeout": undefined,
  },
  deprecatedFields: [],
});

describe("ImageRepository CRD schema", () => {
  it("applies Flux's v1 limits", () => {
    const served = servedSchema(imageRepositoryCrd);
    assert.equal(schemaAt(served, ".spec.exclusionList")?.maxItems, 25);
    assert.deepEqual(schemaAt(served, ".spec.provider")?.enum, ["generic", "aws", "azure", "gcp"]);
    assert.equal(schemaAt(served, ".spec.serviceAccountName")?.maxLength, 253);
    assert.equal(schemaAt(served, ".spec.timeout")?.pattern, "^([0-9]+(\\.[0-9]+)?(ms|s|m))+$");
  });
});

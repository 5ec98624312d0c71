import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { InvalidCrdError, buildCrd, printerColumns, type CrdInput } from "./crd.ts";

const Spec = z.object({ replicas: z.int32().default(1), image: z.string() });
const Status = z.object({ observedGeneration: z.int().meta({ format: "int64" }).optional() });

const input = (over: Partial<CrdInput> = {}): CrdInput => ({
  group: "example.sluice.dev",
  kind: "Widget",
  plural: "widgets",
  singular: "widget",
  shortNames: ["wd"],
  categories: ["fluxcd"],
  scope: "Namespaced",
  versions: [
    {
      name: "v1",
      spec: Spec,
      status: Status,
      storage: true,
      printerColumns: [printerColumns.ready, printerColumns.age],
    },
    { name: "v1beta1", spec: Spec, storage: false, deprecated: true, deprecationWarning: "use v1" },
  ],
  ...over,
});

describe("buildCrd", () => {
  it("names the CRD and its resource", () => {
    const crd = buildCrd(input());
    assert.equal(crd.apiVersion, "apiextensions.k8s.io/v1");
    assert.equal(crd.kind, "CustomResourceDefinition");
    assert.equal(crd.metadata.name, "widgets.example.sluice.dev");
    assert.deepEqual(crd.spec.names, {
      kind: "Widget",
      listKind: "WidgetList",
      plural: "widgets",
      singular: "widget",
      shortNames: ["wd"],
      categories: ["fluxcd"],
    });
    assert.equal(crd.spec.scope, "Namespaced");
    assert.deepEqual(crd.spec.conversion, { strategy: "None" });
  });

  it("generates each version's schema with type meta, a bare metadata and spec/status", () => {
    const [v1, v1beta1] = buildCrd(input()).spec.versions;
    assert.ok(v1 && v1beta1);
    const root = v1.schema.openAPIV3Schema;
    assert.equal(root.type, "object");
    assert.deepEqual(root.properties?.["metadata"], { type: "object" });
    assert.equal(root.properties?.["apiVersion"]?.type, "string");
    assert.equal(root.properties?.["kind"]?.type, "string");
    assert.deepEqual(root.properties?.["spec"]?.properties?.["replicas"], {
      type: "integer",
      format: "int32",
      default: 1,
    });
    assert.deepEqual(root.properties?.["spec"]?.required, ["image"]);
    assert.equal(root.properties?.["status"]?.type, "object");
    assert.equal(v1beta1.schema.openAPIV3Schema.properties?.["status"], undefined);
  });

  it("carries served, storage, deprecation, printer columns and the status subresource", () => {
    const [v1, v1beta1] = buildCrd(input()).spec.versions;
    assert.deepEqual(
      { served: v1?.served, storage: v1?.storage, deprecated: v1?.deprecated, sub: v1?.subresources },
      { served: true, storage: true, deprecated: undefined, sub: { status: {} } },
    );
    assert.deepEqual(v1?.additionalPrinterColumns, [printerColumns.ready, printerColumns.age]);
    assert.deepEqual(
      {
        storage: v1beta1?.storage,
        deprecated: v1beta1?.deprecated,
        warning: v1beta1?.deprecationWarning,
        sub: v1beta1?.subresources,
      },
      { storage: false, deprecated: true, warning: "use v1", sub: undefined },
    );
  });

  it("returns plain JSON data", () => {
    const crd = buildCrd(input());
    assert.deepEqual(JSON.parse(JSON.stringify(crd)), crd);
  });
});

describe("buildCrd refuses invalid input", () => {
  const invalid: [string, Partial<CrdInput>][] = [
    ["no storage version", { versions: [{ name: "v1", spec: Spec, storage: false }] }],
    [
      "two storage versions",
      {
        versions: [
          { name: "v1", spec: Spec, storage: true },
          { name: "v2", spec: Spec, storage: true },
        ],
      },
    ],
    [
      "duplicate versions",
      {
        versions: [
          { name: "v1", spec: Spec, storage: true },
          { name: "v1", spec: Spec, storage: false },
        ],
      },
    ],
    ["an unserved storage version", { versions: [{ name: "v1", spec: Spec, storage: true, served: false }] }],
    [
      "a warning without deprecation",
      { versions: [{ name: "v1", spec: Spec, storage: true, deprecationWarning: "x" }] },
    ],
    ["an uppercase plural", { plural: "Widgets" }],
    ["a group without a dot", { group: "example" }],
  ];
  for (const [what, over] of invalid) {
    it(`rejects ${what}`, () => assert.throws(() => buildCrd(input(over)), InvalidCrdError));
  }
});

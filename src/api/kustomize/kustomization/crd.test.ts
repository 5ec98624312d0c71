import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { z } from "zod";
import { toStructuralSchema, type StructuralSchema } from "../../crd.ts";
import { kustomizationCrd } from "./crd.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

/** Every field path a schema can hold, e.g. `.spec.patches[].target.kind`. */
function fieldPaths(schema: StructuralSchema, prefix = "", out = new Set<string>()): Set<string> {
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    out.add(`${prefix}.${name}`);
    fieldPaths(child, `${prefix}.${name}`, out);
  }
  if (schema.items) fieldPaths(schema.items, `${prefix}[]`, out);
  if (schema.additionalProperties) fieldPaths(schema.additionalProperties, `${prefix}{}`, out);
  return out;
}

/** Field path to its enum, for comparing what each version allows. */
function enums(schema: StructuralSchema, prefix = "", out = new Map<string, unknown[]>()) {
  if (schema.enum) out.set(prefix, schema.enum);
  for (const [name, child] of Object.entries(schema.properties ?? {})) enums(child, `${prefix}.${name}`, out);
  if (schema.items) enums(schema.items, `${prefix}[]`, out);
  return out;
}

const served = kustomizationCrd.spec.versions[0]?.schema.openAPIV3Schema;
const servedSpec = served?.properties?.["spec"]?.properties ?? {};
const servedStatus = served?.properties?.["status"]?.properties ?? {};
const exact: [string, z.ZodType, z.ZodType][] = [
  ["v1", v1.KustomizationSpec, v1.KustomizationStatus],
  ["v1beta2", v1beta2.KustomizationSpec, v1beta2.KustomizationStatus],
  ["v1beta1", v1beta1.KustomizationSpec, v1beta1.KustomizationStatus],
];

describe("Kustomization CRD", () => {
  it("is named and scoped as Flux's", () => {
    assert.equal(kustomizationCrd.metadata.name, "kustomizations.kustomize.toolkit.fluxcd.io");
    assert.deepEqual(kustomizationCrd.spec.names.shortNames, ["ks"]);
    assert.equal(kustomizationCrd.spec.names.listKind, "KustomizationList");
    assert.equal(kustomizationCrd.spec.scope, "Namespaced");
    assert.ok(kustomizationCrd.spec.names.categories?.includes("fluxcd"));
  });

  it("serves v1 (stored), v1beta2 and v1beta1 (deprecated, with warnings)", () => {
    const summary = kustomizationCrd.spec.versions.map((v) => [
      v.name,
      v.served,
      v.storage,
      v.deprecated ?? false,
    ]);
    assert.deepEqual(summary, [
      ["v1", true, true, false],
      ["v1beta2", true, false, true],
      ["v1beta1", true, false, true],
    ]);
    for (const v of kustomizationCrd.spec.versions.filter((v) => v.deprecated)) {
      assert.equal(
        v.deprecationWarning,
        `kustomize.toolkit.fluxcd.io/${v.name} Kustomization is deprecated, use kustomize.toolkit.fluxcd.io/v1`,
      );
    }
  });

  it("shows Flux's printer columns, in Flux's order per version, and serves the status subresource", () => {
    const columns = Object.fromEntries(
      kustomizationCrd.spec.versions.map((v) => [v.name, v.additionalPrinterColumns?.map((c) => c.name)]),
    );
    assert.deepEqual(columns, {
      v1: ["Age", "Ready", "Status"],
      v1beta2: ["Age", "Ready", "Status"],
      v1beta1: ["Ready", "Status", "Age"],
    });
    for (const v of kustomizationCrd.spec.versions) assert.deepEqual(v.subresources, { status: {} });
  });

  it("uses one schema for every version, so conversion None loses nothing", () => {
    for (const v of kustomizationCrd.spec.versions)
      assert.deepEqual(v.schema.openAPIV3Schema, served, v.name);
    assert.deepEqual(kustomizationCrd.spec.conversion, { strategy: "None" });
  });
});

describe("Kustomization CRD schema", () => {
  for (const [version, spec, status] of exact) {
    it(`has room for every ${version} field, and every enum value ${version} allows`, () => {
      assert.ok(served);
      const have = fieldPaths(served);
      const want = [
        ...fieldPaths(toStructuralSchema(spec), ".spec"),
        ...fieldPaths(toStructuralSchema(status), ".status"),
      ];
      assert.deepEqual(
        want.filter((p) => !have.has(p)),
        [],
      );
      const servedEnums = enums(served);
      const versionEnums = new Map([
        ...enums(toStructuralSchema(spec), ".spec"),
        ...enums(toStructuralSchema(status), ".status"),
      ]);
      for (const [path, values] of versionEnums) {
        const allowed = servedEnums.get(path) ?? [];
        assert.deepEqual(
          values.filter((value) => !allowed.includes(value)),
          [],
          path,
        );
      }
    });
  }

  it("requires what every version requires, and no more", () => {
    assert.deepEqual(served?.properties?.["spec"]?.required, ["sourceRef", "interval", "prune"]);
  });

  it("describes the fields v1 dropped as deprecated", () => {
    for (const node of [
      servedSpec["validation"],
      servedSpec["patchesStrategicMerge"],
      servedSpec["patchesJson6902"],
      servedStatus["snapshot"],
    ]) {
      assert.match(node?.description ?? "", /^Deprecated/);
      assert.equal(node?.default, undefined);
    }
  });

  it("keeps old strategic merge patches and JSON 6902 values as free-form JSON", () => {
    assert.deepEqual(servedSpec["patchesStrategicMerge"]?.items, {
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
    });
    const operation = servedSpec["patchesJson6902"]?.items?.properties?.["patch"]?.items;
    const value = operation?.properties?.["value"];
    assert.equal(value?.["x-kubernetes-preserve-unknown-fields"], true);
    assert.equal(value?.nullable, true, "so that `op: add` with `value: null` keeps its value");
    assert.deepEqual(operation?.required, ["op", "path"]);
  });

  it("applies Flux's defaults and no others", () => {
    assert.equal(servedSpec["force"]?.default, false);
    const substituteFrom = servedSpec["postBuild"]?.properties?.["substituteFrom"]?.items;
    assert.equal(substituteFrom?.properties?.["optional"]?.default, false);
    assert.equal(servedSpec["path"]?.default, undefined, "an empty path means the artifact root");
    assert.equal(servedSpec["timeout"]?.default, undefined, "an empty timeout means the interval");
    assert.deepEqual(served?.properties?.["status"]?.default, { observedGeneration: -1 });
  });
});

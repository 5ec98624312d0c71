import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { z } from "zod";
import { toStructuralSchema, type StructuralSchema } from "../../crd.ts";
import { imageRepositoryCrd } from "./crd.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

/** Every field path a schema can hold, e.g. `.spec.accessFrom.namespaceSelectors[].matchLabels`. */
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

const served = imageRepositoryCrd.spec.versions[0]?.schema.openAPIV3Schema;
const servedSpec = served?.properties?.["spec"];
const exact: [string, z.ZodType, z.ZodType][] = [
  ["v1", v1.ImageRepositorySpec, v1.ImageRepositoryStatus],
  ["v1beta2", v1beta2.ImageRepositorySpec, v1beta2.ImageRepositoryStatus],
  ["v1beta1", v1beta1.ImageRepositorySpec, v1beta1.ImageRepositoryStatus],
];

describe("ImageRepository CRD", () => {
  it("is named and scoped as Flux's", () => {
    assert.equal(imageRepositoryCrd.metadata.name, "imagerepositories.image.toolkit.fluxcd.io");
    assert.deepEqual(imageRepositoryCrd.spec.names.shortNames, ["imgrepo", "imagerepo"]);
    assert.equal(imageRepositoryCrd.spec.names.listKind, "ImageRepositoryList");
    assert.equal(imageRepositoryCrd.spec.scope, "Namespaced");
    assert.ok(imageRepositoryCrd.spec.names.categories?.includes("fluxcd"));
  });

  it("serves v1 (stored), v1beta2 and v1beta1 (deprecated, with warnings)", () => {
    const summary = imageRepositoryCrd.spec.versions.map((v) => [
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
    for (const v of imageRepositoryCrd.spec.versions.filter((v) => v.deprecated)) {
      assert.equal(
        v.deprecationWarning,
        `image.toolkit.fluxcd.io/${v.name} ImageRepository is deprecated, use image.toolkit.fluxcd.io/v1`,
      );
    }
  });

  it("shows Flux's printer columns per version and serves the status subresource", () => {
    const columns = Object.fromEntries(
      imageRepositoryCrd.spec.versions.map((v) => [
        v.name,
        v.additionalPrinterColumns?.map((c) => `${c.name}${c.priority ? ` (wide)` : ""}`),
      ]),
    );
    const current = ["Image", "Tags", "Ready", "Status", "Last scan (wide)", "Age"];
    assert.deepEqual(columns, { v1: current, v1beta2: current, v1beta1: ["Last scan", "Tags"] });
    for (const v of imageRepositoryCrd.spec.versions) assert.deepEqual(v.subresources, { status: {} });
  });

  it("uses one schema for every version, so conversion None loses nothing", () => {
    for (const v of imageRepositoryCrd.spec.versions)
      assert.deepEqual(v.schema.openAPIV3Schema, served, v.name);
    assert.deepEqual(imageRepositoryCrd.spec.conversion, { strategy: "None" });
  });
});

describe("ImageRepository CRD schema", () => {
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

  it("requires what Flux's v1 requires", () => {
    assert.deepEqual(servedSpec?.required, ["image", "interval"]);
    assert.deepEqual(served?.properties?.["status"]?.properties?.["lastScanResult"]?.required, ["tagCount"]);
  });

  it("applies Flux's v1 defaults and limits", () => {
    const fields = servedSpec?.properties ?? {};
    assert.deepEqual(fields["exclusionList"]?.default, ["^.*\\.sig$"]);
    assert.equal(fields["exclusionList"]?.maxItems, 25);
    assert.equal(fields["provider"]?.default, "generic");
    assert.deepEqual(fields["provider"]?.enum, ["generic", "aws", "azure", "gcp"]);
    assert.equal(fields["serviceAccountName"]?.maxLength, 253);
    assert.equal(fields["timeout"]?.default, undefined, "an empty timeout means the interval");
    assert.equal(fields["timeout"]?.pattern, "^([0-9]+(\\.[0-9]+)?(ms|s|m))+$");
    assert.deepEqual(served?.properties?.["status"]?.default, { observedGeneration: -1 });
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { z } from "zod";
import { toStructuralSchema, type StructuralSchema } from "../../crd.ts";
import { gitRepositoryCrd } from "./crd.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

/** Every field path a schema can hold, e.g. `.spec.include[].repository.name`. */
function fieldPaths(schema: StructuralSchema, prefix = "", out = new Set<string>()): Set<string> {
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    out.add(`${prefix}.${name}`);
    fieldPaths(child, `${prefix}.${name}`, out);
  }
  if (schema.items) fieldPaths(schema.items, `${prefix}[]`, out);
  if (schema.additionalProperties) fieldPaths(schema.additionalProperties, `${prefix}{}`, out);
  return out;
}

const served = gitRepositoryCrd.spec.versions[0]?.schema.openAPIV3Schema;
const exact: [string, z.ZodType, z.ZodType][] = [
  ["v1", v1.GitRepositorySpec, v1.GitRepositoryStatus],
  ["v1beta2", v1beta2.GitRepositorySpec, v1beta2.GitRepositoryStatus],
  ["v1beta1", v1beta1.GitRepositorySpec, v1beta1.GitRepositoryStatus],
];

describe("GitRepository CRD", () => {
  it("is named and scoped as Flux's", () => {
    assert.equal(gitRepositoryCrd.metadata.name, "gitrepositories.source.toolkit.fluxcd.io");
    assert.deepEqual(gitRepositoryCrd.spec.names.shortNames, ["gitrepo"]);
    assert.equal(gitRepositoryCrd.spec.names.listKind, "GitRepositoryList");
    assert.equal(gitRepositoryCrd.spec.scope, "Namespaced");
    assert.ok(gitRepositoryCrd.spec.names.categories?.includes("fluxcd"));
  });

  it("serves v1 (stored), v1beta2 and v1beta1 (deprecated, with warnings)", () => {
    const summary = gitRepositoryCrd.spec.versions.map((v) => [
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
    for (const v of gitRepositoryCrd.spec.versions.filter((v) => v.deprecated)) {
      assert.match(
        v.deprecationWarning ?? "",
        new RegExp(`${v.name} GitRepository is deprecated, use source.toolkit.fluxcd.io/v1`),
      );
    }
  });

  it("shows Flux's printer columns and serves the status subresource", () => {
    for (const v of gitRepositoryCrd.spec.versions) {
      assert.deepEqual(v.additionalPrinterColumns?.map((c) => c.name).sort(), [
        "Age",
        "Ready",
        "Status",
        "URL",
      ]);
      assert.deepEqual(v.subresources, { status: {} });
    }
  });

  it("uses one schema for every version, so conversion None loses nothing", () => {
    for (const v of gitRepositoryCrd.spec.versions)
      assert.deepEqual(v.schema.openAPIV3Schema, served, v.name);
    assert.deepEqual(gitRepositoryCrd.spec.conversion, { strategy: "None" });
  });

  for (const [version, spec, status] of exact) {
    it(`has room for every ${version} field`, () => {
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
    });
  }

  it("describes the fields v1 dropped as deprecated", () => {
    const spec = served?.properties?.["spec"]?.properties ?? {};
    const status = served?.properties?.["status"]?.properties ?? {};
    for (const node of [
      spec["gitImplementation"],
      spec["accessFrom"],
      status["url"],
      status["contentConfigChecksum"],
    ]) {
      assert.match(node?.description ?? "", /^Deprecated/);
    }
    assert.match(status["artifact"]?.properties?.["checksum"]?.description ?? "", /^Deprecated/);
    assert.equal(
      spec["gitImplementation"]?.default,
      undefined,
      "no default, so only a user's own setting is reported",
    );
  });
});

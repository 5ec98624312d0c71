import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { z } from "zod";
import { toStructuralSchema, type StructuralSchema } from "../../crd.ts";
import { imagePolicyCrd } from "./crd.ts";
import * as v1 from "./v1.ts";
import * as v1beta1 from "./v1beta1.ts";
import * as v1beta2 from "./v1beta2.ts";

/** Every field path a schema can hold, e.g. `.spec.policy.semver.range`. */
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

const served = imagePolicyCrd.spec.versions[0]?.schema.openAPIV3Schema;
const servedSpec = served?.properties?.["spec"];
const servedStatus = served?.properties?.["status"]?.properties ?? {};
const exact: [string, z.ZodType, z.ZodType][] = [
  ["v1", v1.ImagePolicySpec, v1.ImagePolicyStatus],
  ["v1beta2", v1beta2.ImagePolicySpec, v1beta2.ImagePolicyStatus],
  ["v1beta1", v1beta1.ImagePolicySpec, v1beta1.ImagePolicyStatus],
];

describe("ImagePolicy CRD", () => {
  it("is named and scoped as Flux's", () => {
    assert.equal(imagePolicyCrd.metadata.name, "imagepolicies.image.toolkit.fluxcd.io");
    assert.deepEqual(imagePolicyCrd.spec.names.shortNames, ["imgpol", "imagepol"]);
    assert.equal(imagePolicyCrd.spec.names.listKind, "ImagePolicyList");
    assert.equal(imagePolicyCrd.spec.scope, "Namespaced");
    assert.ok(imagePolicyCrd.spec.names.categories?.includes("fluxcd"));
  });

  it("serves v1 (stored), v1beta2 and v1beta1 (deprecated, with warnings)", () => {
    const summary = imagePolicyCrd.spec.versions.map((v) => [
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
    for (const v of imagePolicyCrd.spec.versions.filter((v) => v.deprecated)) {
      assert.equal(
        v.deprecationWarning,
        `image.toolkit.fluxcd.io/${v.name} ImagePolicy is deprecated, use image.toolkit.fluxcd.io/v1`,
      );
    }
  });

  it("shows Flux's printer columns per version and serves the status subresource", () => {
    const columns = Object.fromEntries(
      imagePolicyCrd.spec.versions.map((v) => [
        v.name,
        v.additionalPrinterColumns?.map((c) => `${c.name} ${c.jsonPath}`),
      ]),
    );
    const current = [
      "Image .status.latestRef.name",
      "Tag .status.latestRef.tag",
      'Ready .status.conditions[?(@.type=="Ready")].status',
      'Status .status.conditions[?(@.type=="Ready")].message',
      "Age .metadata.creationTimestamp",
    ];
    assert.deepEqual(columns, {
      v1: current,
      v1beta2: current,
      v1beta1: ["LatestImage .status.latestImage"],
    });
    for (const v of imagePolicyCrd.spec.versions) assert.deepEqual(v.subresources, { status: {} });
  });

  it("uses one schema for every version, so conversion None loses nothing", () => {
    for (const v of imagePolicyCrd.spec.versions) assert.deepEqual(v.schema.openAPIV3Schema, served, v.name);
    assert.deepEqual(imagePolicyCrd.spec.conversion, { strategy: "None" });
  });
});

describe("ImagePolicy CRD schema", () => {
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

  it("requires what Flux requires", () => {
    assert.deepEqual(servedSpec?.required, ["imageRepositoryRef", "policy"]);
    assert.deepEqual(servedStatus["latestRef"]?.required, ["name", "tag"]);
    assert.deepEqual(servedSpec?.properties?.["policy"]?.properties?.["semver"]?.required, ["range"]);
  });

  it("validates with Flux's interval rules and Sluice's one-policy rule in CEL", () => {
    assert.deepEqual(
      servedSpec?.["x-kubernetes-validations"]?.map((r) => r.message),
      [
        "spec.interval is only accepted when spec.digestReflectionPolicy is set to 'Always'",
        "spec.interval must be set when spec.digestReflectionPolicy is set to 'Always'",
      ],
    );
    assert.deepEqual(servedSpec?.properties?.["policy"]?.["x-kubernetes-validations"], [
      {
        rule: "[has(self.semver), has(self.alphabetical), has(self.numerical)].exists_one(x, x)",
        message: "exactly one of semver, alphabetical or numerical must be set",
      },
    ]);
  });

  it("applies Flux's defaults and no others", () => {
    const fields = servedSpec?.properties ?? {};
    assert.equal(fields["digestReflectionPolicy"]?.default, "Never");
    assert.equal(fields["interval"]?.default, undefined, "an interval is only allowed with Always");
    const policy = fields["policy"]?.properties ?? {};
    assert.equal(policy["alphabetical"]?.properties?.["order"]?.default, "asc");
    assert.equal(policy["numerical"]?.properties?.["order"]?.default, "asc");
    assert.deepEqual(served?.properties?.["status"]?.default, { observedGeneration: -1 });
  });

  it("keeps the string forms older versions reported, described as deprecated", () => {
    for (const field of ["latestImage", "observedPreviousImage"]) {
      assert.equal(servedStatus[field]?.type, "string");
      assert.match(servedStatus[field]?.description ?? "", /^Deprecated/);
    }
  });
});

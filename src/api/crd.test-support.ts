/**
 * The checks every Flux kind's CRD must pass, for the `crd.test.ts` beside each kind: names,
 * served/stored/deprecated versions, printer columns, one schema for all versions, room for every
 * version's fields and enum values, required fields, defaults and deprecated fields.
 * `crdContract` registers them as node:test tests; a kind's own test states only its expectations
 * and the checks that belong to it alone.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { toStructuralSchema, type CustomResourceDefinition, type StructuralSchema } from "./crd.ts";

/** A version's module, exporting the zod schemas `<Kind>Spec` and `<Kind>Status` its objects are parsed with. */
export type VersionModule = Readonly<Record<string, unknown>>;

export interface CrdExpectations {
  group: string;
  kind: string;
  plural: string;
  shortNames: readonly string[];
  /** Every category, in order. */
  categories: readonly string[];
  /** The `app.kubernetes.io/component` label: the controller that serves the kind. */
  component: string;
  /**
   * Every served version's module by name, in order (`{ v1, v1beta2, v1beta1 }`): the first is
   * stored, the others deprecated with Flux's warning.
   */
  versions: Record<string, VersionModule>;
  /** Column names per version, in order; `Name (wide)` for a column shown only with `-o wide`. */
  printerColumns: Record<string, readonly string[]>;
  /** The JSON path of each column other than Age, Ready and Status, whose paths are Flux's own. */
  columnPaths: Record<string, string>;
  /** Field path (`.spec`, `.status.latestRef`) to the fields it requires, exactly. */
  required: Record<string, readonly string[]>;
  /**
   * Field path to its default: every default of the schema apart from `.status`'s (each kind's
   * status starts at `observedGeneration: -1`). A path given `undefined` must exist without one.
   */
  defaults: Record<string, unknown>;
  /** Every field path whose description says it is deprecated; none of them has a default. */
  deprecatedFields: readonly string[];
}

/** The columns every Flux kind shares, with Flux's type and JSON path. */
const standardColumns: Record<string, { type: string; jsonPath: string }> = {
  Age: { type: "date", jsonPath: ".metadata.creationTimestamp" },
  Ready: { type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  Status: { type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
};

/** The stored version's schema, which every version serves. */
export function servedSchema(crd: CustomResourceDefinition): StructuralSchema {
  const schema = crd.spec.versions.find((v) => v.storage)?.schema.openAPIV3Schema;
  assert.ok(schema, `${crd.metadata.name} has a stored version with a schema`);
  return schema;
}

/** The node at a field path such as `.spec.patches[].target` or `.spec.labels{}`, if any. */
export function schemaAt(schema: StructuralSchema, path: string): StructuralSchema | undefined {
  let node: StructuralSchema | undefined = schema;
  for (const [step, name] of path.matchAll(/\.([^.[{]+)|\[\]|\{\}/g)) {
    if (step === "[]") node = node?.items;
    else if (step === "{}") node = node?.additionalProperties;
    else node = node?.properties?.[name ?? ""];
  }
  return node;
}

/** Every node of a schema by its field path, the root as `""`. */
export function schemaNodes(
  schema: StructuralSchema,
  prefix = "",
  out = new Map<string, StructuralSchema>(),
): Map<string, StructuralSchema> {
  out.set(prefix, schema);
  for (const [name, child] of Object.entries(schema.properties ?? {}))
    schemaNodes(child, `${prefix}.${name}`, out);
  if (schema.items) schemaNodes(schema.items, `${prefix}[]`, out);
  if (schema.additionalProperties) schemaNodes(schema.additionalProperties, `${prefix}{}`, out);
  return out;
}

/** The `<Kind>Spec` and `<Kind>Status` schemas a version's module exports. */
function versionSchemas(kind: string, name: string, module: VersionModule): [z.ZodType, z.ZodType] {
  const [spec, status] = [module[`${kind}Spec`], module[`${kind}Status`]];
  assert.ok(spec instanceof z.ZodType, `${name} exports ${kind}Spec`);
  assert.ok(status instanceof z.ZodType, `${name} exports ${kind}Status`);
  return [spec, status];
}

/** Registers the shared CRD tests for one kind under `describe("<Kind> CRD")`. */
/** The test that every version of `crd` serves one schema, so that conversion None loses nothing. */
export function itUsesOneSchema(crd: CustomResourceDefinition): void {
  it("uses one schema for every version, so conversion None loses nothing", () => {
    const served = servedSchema(crd);
    for (const v of crd.spec.versions) assert.deepEqual(v.schema.openAPIV3Schema, served, v.name);
    assert.deepEqual(crd.spec.conversion, { strategy: "None" });
  });
}

export function crdContract(crd: CustomResourceDefinition, want: CrdExpectations): void {
  const [stored, ...deprecated] = Object.keys(want.versions);
  describe(`${want.kind} CRD`, () => {
    it("is named, scoped and labelled as Flux's", () => checkNames(crd, want));
    it(`serves ${stored} (stored), ${deprecated.join(" and ")} (deprecated, with warnings)`, () =>
      checkVersions(crd, want));
    it("shows Flux's printer columns, in Flux's order per version, and serves the status subresource", () =>
      checkColumns(crd, want));
    itUsesOneSchema(crd);
    for (const [name, module] of Object.entries(want.versions)) {
      it(`has room for every ${name} field, and every enum value ${name} allows`, () =>
        checkRoomFor(servedSchema(crd), ...versionSchemas(want.kind, name, module)));
    }
    it("requires what Flux requires", () => {
      const served = servedSchema(crd);
      for (const [path, fields] of Object.entries(want.required))
        assert.deepEqual(schemaAt(served, path)?.required, fields, path);
    });
    it("applies Flux's defaults and no others", () => checkDefaults(servedSchema(crd), want.defaults));
    it("describes the fields Flux deprecated as deprecated, without defaults", () =>
      checkDeprecatedFields(servedSchema(crd), want.deprecatedFields));
  });
}

function checkNames(crd: CustomResourceDefinition, want: CrdExpectations): void {
  assert.equal(crd.metadata.name, `${want.plural}.${want.group}`);
  assert.equal(crd.spec.group, want.group);
  assert.deepEqual(crd.spec.names, {
    kind: want.kind,
    listKind: `${want.kind}List`,
    plural: want.plural,
    singular: want.kind.toLowerCase(),
    shortNames: want.shortNames,
    categories: want.categories,
  });
  assert.ok(want.categories.includes("fluxcd"), "listed by `kubectl get fluxcd`");
  assert.equal(crd.spec.scope, "Namespaced");
  assert.deepEqual(crd.metadata.labels, {
    "app.kubernetes.io/part-of": "sluice",
    "app.kubernetes.io/component": want.component,
  });
}

function checkVersions(crd: CustomResourceDefinition, want: CrdExpectations): void {
  const summary = crd.spec.versions.map((v) => [v.name, v.served, v.storage, v.deprecated ?? false]);
  const names = Object.keys(want.versions);
  assert.deepEqual(
    summary,
    names.map((name, i) => [name, true, i === 0, i > 0]),
  );
  const stored = names[0];
  for (const v of crd.spec.versions) {
    assert.equal(
      v.deprecationWarning,
      v.deprecated
        ? `${want.group}/${v.name} ${want.kind} is deprecated, use ${want.group}/${stored}`
        : undefined,
      v.name,
    );
  }
}

function checkColumns(crd: CustomResourceDefinition, want: CrdExpectations): void {
  const names = Object.fromEntries(
    crd.spec.versions.map((v) => [
      v.name,
      v.additionalPrinterColumns?.map((c) => `${c.name}${c.priority ? " (wide)" : ""}`),
    ]),
  );
  assert.deepEqual(names, want.printerColumns);
  for (const v of crd.spec.versions) {
    for (const column of v.additionalPrinterColumns ?? []) {
      const standard = standardColumns[column.name];
      const where = `${v.name} column ${column.name}`;
      if (standard) assert.deepEqual({ type: column.type, jsonPath: column.jsonPath }, standard, where);
      else assert.equal(column.jsonPath, want.columnPaths[column.name], where);
    }
    assert.deepEqual(v.subresources, { status: {} }, v.name);
  }
}

function checkRoomFor(served: StructuralSchema, spec: z.ZodType, status: z.ZodType): void {
  const have = schemaNodes(served);
  const want = new Map([
    ...schemaNodes(toStructuralSchema(spec), ".spec"),
    ...schemaNodes(toStructuralSchema(status), ".status"),
  ]);
  assert.deepEqual(
    [...want.keys()].filter((path) => !have.has(path)),
    [],
    "fields the served schema lacks",
  );
  for (const [path, node] of want) {
    if (!node.enum) continue;
    const allowed = have.get(path)?.enum ?? [];
    assert.deepEqual(
      node.enum.filter((value) => !allowed.includes(value)),
      [],
      `enum values the served schema refuses at ${path}`,
    );
  }
}

function checkDefaults(served: StructuralSchema, defaults: Record<string, unknown>): void {
  const have = [...schemaNodes(served)].filter(([, node]) => node.default !== undefined);
  assert.deepEqual(
    Object.fromEntries(have.map(([path, node]) => [path, node.default])),
    Object.fromEntries([
      ...Object.entries(defaults).filter(([, value]) => value !== undefined),
      [".status", { observedGeneration: -1 }],
    ]),
  );
  for (const [path, value] of Object.entries(defaults)) {
    if (value === undefined) assert.ok(schemaAt(served, path), `${path} exists`);
  }
}

function checkDeprecatedFields(served: StructuralSchema, fields: readonly string[]): void {
  const deprecated = [...schemaNodes(served)].filter(([, node]) =>
    /^Deprecated/.test(node.description ?? ""),
  );
  assert.deepEqual(deprecated.map(([path]) => path).sort(), [...fields].sort());
  for (const [path, node] of deprecated) assert.equal(node.default, undefined, path);
}

/**
 * The checks of `crdContract` (../crd-test-support.ts) for the notification kinds, which it cannot
 * state: Flux gives them no short names, and Provider and Alert v1beta3 are static (no status
 * subresource, no status default, deprecated v1beta2 status fields). Everything else is checked as
 * `crdContract` checks it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { toStructuralSchema, type CustomResourceDefinition, type StructuralSchema } from "../crd.ts";
import {
  itUsesOneSchema,
  schemaAt,
  schemaNodes,
  servedSchema,
  type VersionModule,
} from "../crd.test-support.ts";

export interface NotificationCrdExpectations {
  kind: string;
  plural: string;
  /** Every served version's module by name, stored first. */
  versions: Record<string, VersionModule>;
  /** Versions without status (Flux's static v1beta3): no subresource, no `<Kind>Status` export. */
  staticVersions: readonly string[];
  printerColumns: Record<string, readonly string[]>;
  required: Record<string, readonly string[]>;
  /** Every default of the served schema by field path, `.status`'s included. */
  defaults: Record<string, unknown>;
  deprecatedFields: readonly string[];
}

const GROUP = "notification.toolkit.fluxcd.io";

export function notificationCrdContract(
  crd: CustomResourceDefinition,
  want: NotificationCrdExpectations,
): void {
  const [stored] = Object.keys(want.versions);
  describe(`${want.kind} CRD`, () => {
    it("is named, scoped and labelled as Flux's, without short names", () => checkNames(crd, want));
    it(`serves ${stored} (stored) and deprecates the others with Flux's warning`, () => {
      const names = Object.keys(want.versions);
      assert.deepEqual(
        crd.spec.versions.map((v) => [
          v.name,
          v.served,
          v.storage,
          v.deprecated ?? false,
          v.deprecationWarning,
        ]),
        names.map((name, i) => [
          name,
          true,
          i === 0,
          i > 0,
          i > 0 ? `${GROUP}/${name} ${want.kind} is deprecated, use ${GROUP}/${stored}` : undefined,
        ]),
      );
    });
    it("shows Flux's printer columns and serves /status where Flux did", () => {
      for (const v of crd.spec.versions) {
        assert.deepEqual(
          v.additionalPrinterColumns?.map((c) => c.name),
          want.printerColumns[v.name],
          v.name,
        );
        const expected = want.staticVersions.includes(v.name) ? undefined : { status: {} };
        assert.deepEqual(v.subresources, expected, v.name);
      }
    });
    itUsesOneSchema(crd);
    for (const [name, module] of Object.entries(want.versions)) {
      it(`has room for every ${name} field, and every enum value ${name} allows`, () =>
        checkRoomFor(crd, want, name, module));
    }
    it("requires what Flux requires", () => {
      for (const [path, fields] of Object.entries(want.required))
        assert.deepEqual(schemaAt(servedSchema(crd), path)?.required, fields, path);
    });
    it("applies Flux's defaults and no others", () => {
      const have = [...schemaNodes(servedSchema(crd))].filter(([, n]) => n.default !== undefined);
      assert.deepEqual(Object.fromEntries(have.map(([p, n]) => [p, n.default])), want.defaults);
    });
    it("describes the fields Flux deprecated as deprecated, without defaults", () => {
      const deprecated = [...schemaNodes(servedSchema(crd))].filter(([, n]: [string, StructuralSchema]) =>
        /^Deprecated/.test(n.description ?? ""),
      );
      assert.deepEqual(deprecated.map(([p]) => p).sort(), [...want.deprecatedFields].sort());
      for (const [path, node] of deprecated) assert.equal(node.default, undefined, path);
    });
  });
}

function checkRoomFor(
  crd: CustomResourceDefinition,
  want: NotificationCrdExpectations,
  name: string,
  module: VersionModule,
): void {
  const have = schemaNodes(servedSchema(crd));
  const spec = module[`${want.kind}Spec`];
  const status = module[`${want.kind}Status`];
  assert.ok(spec instanceof z.ZodType, `${name} exports ${want.kind}Spec`);
  const wanted = new Map([...schemaNodes(toStructuralSchema(spec), ".spec")]);
  if (want.staticVersions.includes(name)) assert.equal(status, undefined, `${name} has no status`);
  else {
    assert.ok(status instanceof z.ZodType, `${name} exports ${want.kind}Status`);
    for (const [path, node] of schemaNodes(toStructuralSchema(status), ".status")) wanted.set(path, node);
  }
  assert.deepEqual(
    [...wanted.keys()].filter((p) => !have.has(p)),
    [],
    "fields the served schema lacks",
  );
  for (const [path, node] of wanted) {
    const allowed = have.get(path)?.enum ?? [];
    assert.deepEqual(
      (node.enum ?? []).filter((v) => !allowed.includes(v)),
      [],
      path,
    );
  }
}

function checkNames(crd: CustomResourceDefinition, want: NotificationCrdExpectations): void {
  assert.equal(crd.metadata.name, `${want.plural}.${GROUP}`);
  assert.deepEqual(crd.spec.names, {
    kind: want.kind,
    listKind: `${want.kind}List`,
    plural: want.plural,
    singular: want.kind.toLowerCase(),
    categories: ["all", "fluxcd"],
  });
  assert.equal(crd.spec.scope, "Namespaced");
  assert.deepEqual(crd.metadata.labels, {
    "app.kubernetes.io/part-of": "sluice",
    "app.kubernetes.io/component": "notification-controller",
  });
}

/** Builds apiextensions.k8s.io/v1 CustomResourceDefinitions from the zod schemas of a kind. */
import type { z } from "zod";
import type { KubeObject } from "../kube/objects.ts";
import { toStructuralSchema, type StructuralSchema } from "./structural-schema.ts";

export { NonStructuralSchemaError, assertStructural, toStructuralSchema } from "./structural-schema.ts";
export type { StructuralSchema, ValidationRule } from "./structural-schema.ts";

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

/** The columns every Flux kind shows in `kubectl get`. */
export const printerColumns = {
  age: { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ready: { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  status: { name: "Status", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].message' },
} as const satisfies Record<string, PrinterColumn>;

export interface CrdVersionInput {
  name: string;
  spec: z.ZodType;
  status?: z.ZodType;
  /** Description of the whole object. */
  description?: string;
  served?: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  printerColumns?: readonly PrinterColumn[];
  /** Serve `/status` as a subresource; defaults to true when the version has a status schema. */
  statusSubresource?: boolean;
}

export interface CrdInput {
  group: string;
  kind: string;
  plural: string;
  singular: string;
  listKind?: string;
  shortNames?: readonly string[];
  categories?: readonly string[];
  scope: "Namespaced" | "Cluster";
  versions: readonly CrdVersionInput[];
  labels?: Record<string, string>;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema: { openAPIV3Schema: StructuralSchema };
  subresources?: { status?: Record<string, never> };
  additionalPrinterColumns?: PrinterColumn[];
}

export interface CustomResourceDefinition extends KubeObject {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames?: string[];
      categories?: string[];
    };
    scope: "Namespaced" | "Cluster";
    versions: CrdVersion[];
    conversion: { strategy: "None" };
  };
}

export class InvalidCrdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidCrdError";
  }
}

const typeMetaSchema = {
  apiVersion: {
    type: "string",
    description: "The versioned schema of this representation of the object (group/version).",
  },
  kind: { type: "string", description: "The REST resource this object represents, in CamelCase." },
  // The API server validates metadata itself and accepts no further constraints on it.
  metadata: { type: "object" },
} as const satisfies Record<string, StructuralSchema>;

/**
 * A CRD whose every version's schema is generated from its zod schemas. Conversion is `None`:
 * see docs/adr/0003-api-versions-and-conversion.md for why no webhook is needed.
 */
export function buildCrd(input: CrdInput): CustomResourceDefinition {
  checkInput(input);
  const names: CustomResourceDefinition["spec"]["names"] = {
    kind: input.kind,
    listKind: input.listKind ?? `${input.kind}List`,
    plural: input.plural,
    singular: input.singular,
  };
  if (input.shortNames?.length) names.shortNames = [...input.shortNames];
  if (input.categories?.length) names.categories = [...input.categories];
  const metadata: CustomResourceDefinition["metadata"] = { name: `${input.plural}.${input.group}` };
  if (input.labels) metadata.labels = { ...input.labels };
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata,
    spec: {
      group: input.group,
      names,
      scope: input.scope,
      versions: input.versions.map(buildVersion),
      conversion: { strategy: "None" },
    },
  };
}

function buildVersion(v: CrdVersionInput): CrdVersion {
  const properties: Record<string, StructuralSchema> = {
    ...typeMetaSchema,
    spec: toStructuralSchema(v.spec),
  };
  if (v.status) properties["status"] = toStructuralSchema(v.status);
  const root: StructuralSchema = { type: "object", properties };
  if (v.description) root.description = v.description;
  const out: CrdVersion = {
    name: v.name,
    served: v.served ?? true,
    storage: v.storage,
    schema: { openAPIV3Schema: root },
  };
  if (v.deprecated) out.deprecated = true;
  if (v.deprecationWarning) out.deprecationWarning = v.deprecationWarning;
  if (v.statusSubresource ?? v.status !== undefined) out.subresources = { status: {} };
  if (v.printerColumns?.length) out.additionalPrinterColumns = v.printerColumns.map((c) => ({ ...c }));
  return out;
}

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function checkInput(input: CrdInput): void {
  const fail = (problem: string): never => {
    throw new InvalidCrdError(`CRD for ${input.kind}: ${problem}`);
  };
  if (!DNS_LABEL.test(input.plural) || !DNS_LABEL.test(input.singular))
    fail("plural and singular must be lowercase DNS labels");
  if (!input.group.includes(".")) fail("the group must be a domain name with at least one dot");
  if (input.versions.length === 0) fail("at least one version is required");
  if (input.versions.filter((v) => v.storage).length !== 1)
    fail("exactly one version must be the storage version");
  const names = input.versions.map((v) => v.name);
  if (new Set(names).size !== names.length) fail(`version names must be unique: ${names.join(", ")}`);
  for (const v of input.versions) {
    if (v.deprecationWarning && !v.deprecated)
      fail(`version ${v.name} has a deprecationWarning but is not deprecated`);
    if (v.storage && v.served === false) fail(`storage version ${v.name} must be served`);
  }
}

/**
 * Turns a zod schema into the structural OpenAPI v3 schema a CustomResourceDefinition needs, so
 * the CRD and the in-process parser come from one source. zod's own JSON Schema output is the
 * starting point; this module rewrites what Kubernetes does not accept and refuses what it cannot
 * express (unions of objects, tuples, recursion) instead of publishing a weaker schema silently.
 */
import { z } from "zod";

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
}

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps a structural schema uses. */
export interface StructuralSchema {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  description?: string;
  title?: string;
  format?: string;
  default?: unknown;
  nullable?: boolean;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  properties?: Record<string, StructuralSchema>;
  required?: string[];
  items?: StructuralSchema;
  additionalProperties?: StructuralSchema;
  "x-kubernetes-preserve-unknown-fields"?: true;
  "x-kubernetes-int-or-string"?: true;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-validations"?: ValidationRule[];
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "atomic" | "granular";
}

type Json = Record<string, unknown>;

/** Formats whose meaning in zod's output and in the API server's validation agree. */
const KNOWN_FORMATS = new Set([
  "date-time",
  "date",
  "email",
  "uri",
  "uuid",
  "ipv4",
  "ipv6",
  "hostname",
  "byte",
  "password",
  "int32",
  "int64",
  "float",
  "double",
]);

/** Keywords copied unchanged (after a type check by the API server). */
const COPIED = new Set([
  "type",
  "description",
  "title",
  "default",
  "nullable",
  "enum",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "multipleOf",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
]);

/** Keywords zod emits that carry nothing a CRD can use. */
const DROPPED = new Set([
  "$schema",
  "$id",
  "id",
  "definitions",
  "$defs",
  "examples",
  "propertyNames",
  "deprecated",
]);

const INT32 = { min: -2147483648, max: 2147483647 };

export class NonStructuralSchemaError extends Error {
  constructor(path: string, problem: string) {
    super(`${path || "<root>"}: ${problem}`);
    this.name = "NonStructuralSchemaError";
  }
}

interface Context {
  defs: Record<string, Json>;
  resolving: Set<string>;
}

/** The structural OpenAPI v3 schema for `schema`, as a CRD version's openAPIV3Schema node. */
export function toStructuralSchema(schema: z.ZodType): StructuralSchema {
  let json: Json;
  try {
    json = z.toJSONSchema(schema, {
      target: "openapi-3.0",
      io: "input",
      unrepresentable: "throw",
      reused: "inline",
      cycles: "throw",
    });
  } catch (err) {
    throw new NonStructuralSchemaError("", `zod cannot describe this schema: ${(err as Error).message}`);
  }
  const defs = {
    ...(json["definitions"] as Record<string, Json>),
    ...(json["$defs"] as Record<string, Json>),
  };
  const out = convert(json, "", { defs, resolving: new Set() });
  if (out.nullable) throw new NonStructuralSchemaError("", "the root of a schema cannot be nullable");
  assertStructural(out, "");
  return out;
}

function convert(input: Json, path: string, ctx: Context): StructuralSchema {
  const ref = input["$ref"];
  if (typeof ref === "string") return convertRef(ref, input, path, ctx);
  const wrapped = unwrapAllOf(input);
  if (wrapped !== input) return convert(wrapped, path, ctx);
  const node = foldUnion(input, path);
  const out: StructuralSchema = {};
  for (const [key, value] of Object.entries(node)) convertKeyword(out, key, value, path, ctx);
  if (node["additionalProperties"] !== undefined) convertAdditional(out, node, path, ctx);
  return tidy(out, node);
}

function convertRef(ref: string, input: Json, path: string, ctx: Context): StructuralSchema {
  const name = ref.replace(/^#\/(\$defs|definitions)\//, "");
  const target = ctx.defs[name];
  if (!target) throw new NonStructuralSchemaError(path, `unresolvable reference ${ref}`);
  if (ctx.resolving.has(name))
    throw new NonStructuralSchemaError(path, `recursive schema ${name} cannot be structural`);
  const siblings = without(input, "$ref");
  ctx.resolving.add(name);
  try {
    return convert({ ...target, ...siblings }, path, ctx);
  } finally {
    ctx.resolving.delete(name);
  }
}

function convertKeyword(
  out: StructuralSchema,
  key: string,
  value: unknown,
  path: string,
  ctx: Context,
): void {
  const target = out as Record<string, unknown>;
  if (COPIED.has(key)) target[key] = value;
  else if (key.startsWith("x-kubernetes-")) target[key] = value;
  else if (key === "const") out.enum = [value];
  else if (key === "format") {
    if (typeof value === "string" && KNOWN_FORMATS.has(value)) out.format = value;
  } else if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
    convertExclusive(out, key, value);
  } else if (key === "required") {
    if (Array.isArray(value) && value.length > 0) out.required = [...(value as string[])];
  } else if (key === "properties") {
    out.properties = {};
    for (const [name, child] of Object.entries(value as Record<string, Json>)) {
      out.properties[name] = convert(child, `${path}.${name}`, ctx);
    }
  } else if (key === "items") {
    if (Array.isArray(value))
      throw new NonStructuralSchemaError(path, "tuples are not structural; use an array of one type");
    out.items = convert(value as Json, `${path}[]`, ctx);
  } else if (key === "allOf" || key === "not") {
    throw new NonStructuralSchemaError(path, `${key} (from an intersection or negation) is not supported`);
  } else if (key !== "additionalProperties" && !DROPPED.has(key)) {
    throw new NonStructuralSchemaError(path, `keyword ${key} has no CRD equivalent`);
  }
}

// OpenAPI 3.0 spells exclusive bounds as booleans beside minimum/maximum; newer drafts as numbers.
function convertExclusive(
  out: StructuralSchema,
  key: "exclusiveMinimum" | "exclusiveMaximum",
  value: unknown,
): void {
  if (typeof value === "number") {
    if (key === "exclusiveMinimum") out.minimum = value;
    else out.maximum = value;
    out[key] = true;
  } else if (value === true) out[key] = true;
}

function convertAdditional(out: StructuralSchema, node: Json, path: string, ctx: Context): void {
  const ap = node["additionalProperties"];
  if (ap === false) return;
  const anything = ap === true || (typeof ap === "object" && ap !== null && Object.keys(ap).length === 0);
  if (anything) {
    out["x-kubernetes-preserve-unknown-fields"] = true;
    return;
  }
  if (node["properties"] !== undefined) {
    throw new NonStructuralSchemaError(
      path,
      "an object cannot have both properties and typed additionalProperties",
    );
  }
  out.additionalProperties = convert(ap as Json, `${path}{}`, ctx);
}

// OpenAPI 3.0 forbids siblings beside $ref, so zod wraps a described or optional reference in a
// one-member allOf; that is the same schema. Longer allOf lists are refused in convertKeyword.
function unwrapAllOf(node: Json): Json {
  const members = node["allOf"];
  if (!Array.isArray(members) || members.length !== 1) return node;
  return { ...(members[0] as Json), ...without(node, "allOf") };
}

const isNull = (m: Json): boolean =>
  m["type"] === "null" || (Array.isArray(m["enum"]) && m["enum"].length === 1 && m["enum"][0] === null);

/** Rewrites anyOf/oneOf into the few shapes a structural schema can express. */
function foldUnion(node: Json, path: string): Json {
  const members = (node["anyOf"] ?? node["oneOf"]) as Json[] | undefined;
  if (!members) return node;
  const rest = without(node, "anyOf", "oneOf");
  const nonNull = members.filter((m) => !isNull(m));
  if (nonNull.length < members.length) rest["nullable"] = true;
  const [only] = nonNull;
  if (nonNull.length === 1 && only) return { ...only, ...rest };
  if (isIntOrString(nonNull)) return { ...rest, "x-kubernetes-int-or-string": true };
  const merged = mergeEnums(nonNull);
  if (merged) return { ...merged, ...rest };
  throw new NonStructuralSchemaError(
    path,
    "unions are not structural; only `T | null`, `int | string` and unions of literals are supported",
  );
}

function isIntOrString(members: Json[]): boolean {
  if (members.length !== 2) return false;
  const bare = (m: Json, extra: string[]) => Object.keys(m).every((k) => k === "type" || extra.includes(k));
  const int = members.find((m) => m["type"] === "integer" && bare(m, ["minimum", "maximum", "format"]));
  const str = members.find((m) => m["type"] === "string" && bare(m, []));
  return int !== undefined && str !== undefined;
}

function mergeEnums(members: Json[]): Json | undefined {
  const type = members[0]?.["type"];
  const values: unknown[] = [];
  for (const m of members) {
    const keys = Object.keys(m).filter((k) => k !== "description");
    if (m["type"] !== type || !Array.isArray(m["enum"]) || keys.length !== 2) return undefined;
    values.push(...(m["enum"] as unknown[]));
  }
  return { type, enum: [...new Set(values)] };
}

function without(node: Json, ...keys: string[]): Json {
  const copy = { ...node };
  for (const key of keys) delete copy[key];
  return copy;
}

function tidy(out: StructuralSchema, node: Json): StructuralSchema {
  if (out.format === "date-time") delete out.pattern; // zod's RFC 3339 regex duplicates the format check
  if (out.pattern !== undefined) out.pattern = unescapeSlashes(out.pattern);
  if (out.type === "integer") tidyIntegerBounds(out);
  if (node["deprecated"] === true && !/deprecated/i.test(out.description ?? "")) {
    out.description = out.description ? `Deprecated: ${out.description}` : "Deprecated.";
  }
  const typeless = out.type === undefined && !out["x-kubernetes-int-or-string"];
  if (typeless && out.enum === undefined) out["x-kubernetes-preserve-unknown-fields"] = true;
  return out;
}

// RegExp#source escapes "/" for JS literals; Go's regexp accepts it, but Flux's patterns spell it bare.
function unescapeSlashes(pattern: string): string {
  return pattern.replace(/\\(.)/gs, (escape, char: string) => (char === "/" ? "/" : escape));
}

// z.int() and z.int32() announce their natural range as bounds; the CRD says it with a format.
function tidyIntegerBounds(out: StructuralSchema): void {
  if (
    out.minimum === INT32.min &&
    out.maximum === INT32.max &&
    !out.exclusiveMinimum &&
    !out.exclusiveMaximum
  ) {
    delete out.minimum;
    delete out.maximum;
    out.format ??= "int32";
  }
  if (out.minimum === Number.MIN_SAFE_INTEGER && !out.exclusiveMinimum) delete out.minimum;
  if (out.maximum === Number.MAX_SAFE_INTEGER && !out.exclusiveMaximum) delete out.maximum;
}

/** Throws unless `schema` obeys the structural rules this module relies on. */
export function assertStructural(schema: StructuralSchema, path: string): void {
  const free =
    schema["x-kubernetes-preserve-unknown-fields"] === true || schema["x-kubernetes-int-or-string"] === true;
  if (schema.type === undefined && !free) throw new NonStructuralSchemaError(path, "every node needs a type");
  if (schema["x-kubernetes-int-or-string"] && schema.type !== undefined) {
    throw new NonStructuralSchemaError(path, "x-kubernetes-int-or-string excludes a type");
  }
  if (schema.properties && schema.additionalProperties) {
    throw new NonStructuralSchemaError(path, "properties and additionalProperties are mutually exclusive");
  }
  if (schema.type === "array" && !schema.items)
    throw new NonStructuralSchemaError(path, "an array needs items");
  for (const [name, child] of Object.entries(schema.properties ?? {}))
    assertStructural(child, `${path}.${name}`);
  if (schema.items) assertStructural(schema.items, `${path}[]`);
  if (schema.additionalProperties) assertStructural(schema.additionalProperties, `${path}{}`);
}

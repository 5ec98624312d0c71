import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import {
  NonStructuralSchemaError,
  assertStructural,
  toStructuralSchema,
  type StructuralSchema,
} from "./structural-schema.ts";

const prop = (schema: StructuralSchema, ...path: string[]): StructuralSchema => {
  let node = schema;
  for (const name of path) {
    const next = node.properties?.[name];
    assert.ok(next, `no property ${path.join(".")}`);
    node = next;
  }
  return node;
};

/** Every key anywhere in the schema tree. */
function allKeys(value: unknown, keys = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) allKeys(v, keys);
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      keys.add(k);
      allKeys(v, keys);
    }
  }
  return keys;
}

describe("toStructuralSchema: shape", () => {
  it("emits no $schema, $ref, definitions or additionalProperties: false", () => {
    const Ref = z.object({ name: z.string() }).meta({ id: "Ref" });
    const out = toStructuralSchema(z.strictObject({ a: Ref, b: Ref.optional(), c: z.array(Ref) }));
    const keys = allKeys(out);
    for (const banned of ["$schema", "$ref", "definitions", "$defs", "id"])
      assert.ok(!keys.has(banned), banned);
    assert.ok(!JSON.stringify(out).includes('"additionalProperties":false'));
    assert.deepEqual(prop(out, "b"), {
      type: "object",
      properties: { name: { type: "string" } },
      required: ["name"],
    });
    assert.equal(prop(out, "c").items?.type, "object");
  });

  it("puts a type on every node", () => {
    const out = toStructuralSchema(
      z.object({
        s: z.string(),
        n: z.number(),
        i: z.int(),
        b: z.boolean(),
        a: z.array(z.string()),
        o: z.object({}),
      }),
    );
    assert.deepEqual(Object.fromEntries(Object.entries(out.properties ?? {}).map(([k, v]) => [k, v.type])), {
      s: "string",
      n: "number",
      i: "integer",
      b: "boolean",
      a: "array",
      o: "object",
    });
    assertStructural(out, "");
  });

  it("lists required fields and leaves out optional and defaulted ones", () => {
    const out = toStructuralSchema(
      z.object({ a: z.string(), b: z.string().optional(), c: z.string().default("x") }),
    );
    assert.deepEqual(out.required, ["a"]);
    assert.equal(toStructuralSchema(z.object({ a: z.string().optional() })).required, undefined);
  });

  it("says nullable instead of a union with null", () => {
    const out = toStructuralSchema(z.object({ a: z.string().nullable(), b: z.union([z.int(), z.null()]) }));
    assert.deepEqual(prop(out, "a"), { type: "string", nullable: true });
    assert.deepEqual(prop(out, "b"), { type: "integer", nullable: true });
  });
});

describe("toStructuralSchema: values", () => {
  it("turns enums, literals and unions of literals into enum", () => {
    const out = toStructuralSchema(
      z.object({ e: z.enum(["a", "b"]), l: z.literal("x"), u: z.union([z.literal("p"), z.literal("q")]) }),
    );
    assert.deepEqual(prop(out, "e"), { type: "string", enum: ["a", "b"] });
    assert.deepEqual(prop(out, "l"), { type: "string", enum: ["x"] });
    assert.deepEqual(prop(out, "u"), { type: "string", enum: ["p", "q"] });
  });

  it("keeps only formats Kubernetes knows", () => {
    const out = toStructuralSchema(
      z.object({
        time: z.iso.datetime({ offset: true }),
        i32: z.int32(),
        i64: z.int().meta({ format: "int64" }),
        email: z.email(),
        isoDuration: z.iso.duration(),
        cuid: z.cuid(),
      }),
    );
    assert.deepEqual(
      prop(out, "time"),
      { type: "string", format: "date-time" },
      "zod's date-time regex is dropped",
    );
    assert.deepEqual(prop(out, "i32"), { type: "integer", format: "int32" });
    assert.deepEqual(prop(out, "i64"), { type: "integer", format: "int64" });
    assert.equal(prop(out, "email").format, "email");
    // Kubernetes' "duration" is Go's, not ISO 8601's, so the format must not be passed on.
    assert.equal(prop(out, "isoDuration").format, undefined);
    assert.equal(prop(out, "cuid").format, undefined);
    assert.ok(prop(out, "cuid").pattern, "the pattern still validates");
  });

  it("keeps patterns and length and range limits, with bare slashes", () => {
    const out = toStructuralSchema(
      z.object({
        s: z
          .string()
          .regex(/^(http|https):\/\/[a-z]+\\\/$/)
          .min(1)
          .max(10),
        n: z.number().positive().max(5),
        a: z.array(z.string()).min(1).max(3),
        i: z.int().min(0),
      }),
    );
    assert.deepEqual(prop(out, "s"), {
      type: "string",
      pattern: "^(http|https)://[a-z]+\\\\/$",
      minLength: 1,
      maxLength: 10,
    });
    assert.deepEqual(prop(out, "n"), { type: "number", minimum: 0, exclusiveMinimum: true, maximum: 5 });
    assert.deepEqual(prop(out, "a"), { type: "array", items: { type: "string" }, minItems: 1, maxItems: 3 });
    assert.deepEqual(prop(out, "i"), { type: "integer", minimum: 0 });
  });

  it("marks int-or-string", () => {
    const out = toStructuralSchema(
      z.object({ port: z.union([z.int(), z.string()]), p2: z.union([z.string(), z.int32()]).optional() }),
    );
    assert.deepEqual(prop(out, "port"), { "x-kubernetes-int-or-string": true });
    assert.deepEqual(prop(out, "p2"), { "x-kubernetes-int-or-string": true });
  });
});

describe("toStructuralSchema: free-form values, defaults, descriptions, extensions", () => {
  it("preserves unknown fields of free-form values", () => {
    const out = toStructuralSchema(
      z.object({
        values: z.record(z.string(), z.unknown()).optional(),
        anything: z.unknown().optional(),
        loose: z.looseObject({ known: z.string() }),
        labels: z.record(z.string(), z.string()),
      }),
    );
    assert.deepEqual(prop(out, "values"), { type: "object", "x-kubernetes-preserve-unknown-fields": true });
    assert.deepEqual(prop(out, "anything"), { "x-kubernetes-preserve-unknown-fields": true });
    assert.deepEqual(prop(out, "loose"), {
      type: "object",
      properties: { known: { type: "string" } },
      required: ["known"],
      "x-kubernetes-preserve-unknown-fields": true,
    });
    assert.deepEqual(prop(out, "labels"), { type: "object", additionalProperties: { type: "string" } });
  });

  it("keeps defaults and descriptions", () => {
    const out = toStructuralSchema(
      z.object({
        timeout: z.string().default("60s").describe("How long to wait."),
        status: z.object({ g: z.int() }).default({ g: -1 }).describe("State."),
      }),
    );
    assert.deepEqual(prop(out, "timeout"), {
      type: "string",
      default: "60s",
      description: "How long to wait.",
    });
    assert.deepEqual(prop(out, "status").default, { g: -1 });
    assert.equal(prop(out, "status").description, "State.");
  });

  it("says deprecated in the description", () => {
    const out = toStructuralSchema(
      z.object({
        old: z.string().optional().meta({ deprecated: true }).describe("The old way."),
        said: z.string().optional().meta({ deprecated: true }).describe("Deprecated and ignored."),
        bare: z.string().optional().meta({ deprecated: true }),
      }),
    );
    assert.equal(prop(out, "old").description, "Deprecated: The old way.");
    assert.equal(prop(out, "said").description, "Deprecated and ignored.");
    assert.equal(prop(out, "bare").description, "Deprecated.");
    assert.ok(!allKeys(out).has("deprecated"));
  });

  it("passes x-kubernetes-* extensions through", () => {
    const rule = { rule: "self.a != self.b", message: "a and b must differ" };
    const out = toStructuralSchema(
      z
        .object({ a: z.string(), b: z.array(z.string()).meta({ "x-kubernetes-list-type": "set" }) })
        .meta({ "x-kubernetes-validations": [rule] }),
    );
    assert.deepEqual(out["x-kubernetes-validations"], [rule]);
    assert.equal(prop(out, "b")["x-kubernetes-list-type"], "set");
  });
});

describe("toStructuralSchema: refusals", () => {
  describe("refuses what a structural schema cannot say", () => {
    const refused: [string, z.ZodType, RegExp][] = [
      [
        "a union of objects",
        z.object({ u: z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]) }),
        /unions are not structural/,
      ],
      ["a tuple", z.object({ t: z.tuple([z.string(), z.boolean()]) }), /unions are not structural/],
      [
        "an intersection zod cannot flatten",
        z.object({ i: z.intersection(z.object({ a: z.string() }), z.record(z.string(), z.int())) }),
        /allOf/,
      ],
      [
        "typed extra keys beside properties",
        z.object({ a: z.string() }).catchall(z.string()),
        /both properties and typed additionalProperties/,
      ],
      ["a nullable root", z.object({}).nullable(), /root/],
      ["a recursive schema", recursive(), /cannot describe|recursive/],
      ["a bigint", z.object({ n: z.bigint() }), /cannot describe/],
    ];
    for (const [what, schema, message] of refused) {
      it(what, () => {
        assert.throws(
          () => toStructuralSchema(schema),
          (err: unknown) => err instanceof NonStructuralSchemaError && message.test(err.message),
        );
      });
    }
  });

  it("names the path of the offending node", () => {
    const schema = z.object({ spec: z.object({ deep: z.union([z.object({ a: z.string() }), z.int()]) }) });
    assert.throws(() => toStructuralSchema(schema), /^NonStructuralSchemaError: \.spec\.deep: /m);
  });
});

describe("assertStructural", () => {
  it("rejects a node without a type", () => {
    assert.throws(
      () => assertStructural({ type: "object", properties: { a: {} } }, ""),
      /\.a: every node needs a type/,
    );
  });
  it("rejects an array without items", () => {
    assert.throws(() => assertStructural({ type: "array" }, ""), /needs items/);
  });
  it("rejects int-or-string with a type", () => {
    assert.throws(
      () => assertStructural({ type: "string", "x-kubernetes-int-or-string": true }, ""),
      /excludes a type/,
    );
  });
});

function recursive(): z.ZodType {
  interface Node {
    children: Node[];
  }
  const node: z.ZodType<Node> = z.object({ children: z.array(z.lazy(() => node)) });
  return node;
}

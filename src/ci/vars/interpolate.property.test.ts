import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import { propertyParameters } from "../../common/property.test-support.ts";
import { interpolate } from "./interpolate.ts";
import { formatVarRef, parseVarRef } from "./reference.ts";
import { staticVarSource } from "./static-vars.ts";

const noVars = staticVarSource({}, "no vars");
const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/);
const plainText = fc.string({ maxLength: 20 }).map((s) => s.replace(/[()]/g, ""));
/** JSON whose strings hold no parentheses, so no `((var))` either. */
const plainDocument = fc
  .jsonValue()
  .map((v) => JSON.parse(JSON.stringify(v).replace(/[()]/g, "")) as unknown);

it("returns a document without ((vars)) as it was", async () => {
  await fc.assert(
    fc.asyncProperty(plainDocument, async (doc) => assert.deepEqual(await interpolate(doc, noVars), doc)),
    propertyParameters(),
  );
});

it("puts a whole ((var)) in with its type, and a string var into surrounding text", async () => {
  await fc.assert(
    fc.asyncProperty(
      name,
      fc.jsonValue(),
      plainText,
      plainText,
      fc.string({ maxLength: 20 }),
      async (v, value, before, after, text) => {
        const whole = await interpolate({ field: `((${v}))` }, staticVarSource({ [v]: value }, "test"));
        assert.deepEqual(whole, { field: value });
        const embedded = await interpolate(
          [`${before}((${v}))${after}`],
          staticVarSource({ [v]: text }, "test"),
        );
        assert.deepEqual(embedded, [before + text + after]);
      },
    ),
    propertyParameters(),
  );
});

it("reads back a reference it formats, whatever its segments hold", () => {
  const segment = fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((s) => !/["()]/.test(s) && s.trim() === s);
  fc.assert(
    fc.property(
      fc.constantFrom("", "vault", "k8s"),
      segment,
      fc.array(segment, { maxLength: 3 }),
      (source, path, fields) => {
        const ref = { source, path, fields };
        assert.deepEqual(parseVarRef(formatVarRef(ref)), ref);
      },
    ),
    propertyParameters(),
  );
});

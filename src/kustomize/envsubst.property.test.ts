import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import { propertyParameters } from "../common/property.test-support.ts";
import { envsubst } from "./envsubst.ts";

const noVariables = () => undefined;
const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);
/** Text dense in what envsubst reads: dollars, braces, operators. */
const dollarHeavy = fc.string({ unit: fc.constantFrom("$", "{", "}", "a", "-", ":", "#"), maxLength: 30 });
const dollarFree = fc.string({ maxLength: 40 }).map((s) => s.replaceAll("$", ""));

it("leaves text without a $ as it is", () => {
  fc.assert(
    fc.property(dollarFree, (text) => assert.equal(envsubst(text, noVariables), text)),
    propertyParameters(),
  );
});

it("reads $$ as a literal $: any text escaped that way comes back unchanged", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 40 }), dollarHeavy), (text) =>
      // a replacer function: in a replacement string "$$" would mean one "$"
      assert.equal(
        envsubst(
          text.replaceAll("$", () => "$$"),
          noVariables,
        ),
        text,
      ),
    ),
    propertyParameters(),
  );
});

it("replaces ${NAME} by the value, whatever the value holds, and nothing else", () => {
  fc.assert(
    fc.property(
      dollarFree,
      name,
      fc.string({ maxLength: 20 }),
      dollarFree,
      (before, variable, value, after) => {
        const result = envsubst(`${before}\${${variable}}${after}`, (n) =>
          n === variable ? value : undefined,
        );
        assert.equal(result, before + value + after);
      },
    ),
    propertyParameters(),
  );
});

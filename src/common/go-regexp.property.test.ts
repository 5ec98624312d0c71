import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import { RE2JS } from "re2js";
import { compileGoRegexp } from "./go-regexp.ts";
import { propertyParameters } from "./property.test-support.ts";

/**
 * Patterns in the syntax Go and JavaScript share, where both engines prefer the leftmost-first
 * match. Groups are not repeated: the engines differ on repeating what may match empty
 * (`(a*)+`, `(?:x*?a*)?`).
 */
const character = fc
  .tuple(
    fc.constantFrom("a", "b", "x", ".", "[ab]", "[^a]", "\\d", "\\w"),
    fc.constantFrom("", "", "*", "+", "?", "*?", "{1,2}"),
  )
  .map(([atom, quantifier]) => atom + quantifier);

const pattern: fc.Arbitrary<string> = fc.letrec<{ re: string; atom: string }>((tie) => ({
  atom: fc.oneof(
    character,
    tie("re").map((re) => `(${re})`),
    tie("re").map((re) => `(?:${re})`),
  ),
  re: fc
    .array(tie("atom"), { minLength: 1, maxLength: 4 })
    .chain((parts) => fc.constantFrom(parts.join(""), `^${parts.join("")}`, `${parts.join("")}|b`)),
})).re;

const subject = fc.stringMatching(/^[abx1_ ]{0,12}$/);

it("matches what JavaScript's engine matches, on the syntax both share", () => {
  fc.assert(
    fc.property(pattern, subject, (source, input) => {
      const expected = new RegExp(source).exec(input);
      const actual = compileGoRegexp(source).exec(input);
      assert.equal(actual?.index, expected?.index);
      assert.equal(actual?.[0], expected?.[0]);
    }),
    propertyParameters(),
  );
});

it("finds all matches as RE2's FindAll does", () => {
  fc.assert(
    fc.property(pattern, subject, (source, input) => {
      const expected = (RE2JS.compile(source).re2().findAllIndex(input, -1) ?? []) as number[][];
      const actual = [...compileGoRegexp(source).matchAll(input)].map((m) => [
        m.index!,
        m.index! + m[0].length,
      ]);
      assert.deepEqual(
        actual,
        expected.map(([start, end]) => [start, end]),
      );
    }),
    propertyParameters(),
  );
});

it("splits and replaces without losing text", () => {
  fc.assert(
    fc.property(pattern, subject, (source, input) => {
      const re = compileGoRegexp(source);
      assert.equal(
        re.replaceAll(input, (m) => m[0]),
        input,
      );
      const matched = [...re.matchAll(input)].map((m) => m[0]).join("");
      assert.equal(re.split(input, -1).join("").length + matched.length, input.length);
    }),
    propertyParameters(),
  );
});

import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import { propertyParameters } from "../common/property.test-support.ts";
import { applySetters } from "./setters.ts";

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const tag = fc.stringMatching(/^[0-9a-z][0-9a-z.-]{0,10}$/);

/** A line of YAML around the marked one: plain, quoted, anchored, commented or blank. */
function filler(kind: number, key: string, value: string): string {
  const lines = [
    `${key}: ${value}`,
    `${key}: "${value} quoted"`,
    `${key}: &anchor-${key} ${value}`,
    `${key}: ${value} # a comment`,
    `# ${value} commented out`,
    "",
  ];
  return lines[kind % lines.length]!;
}

const documentText = fc.record({
  lines: fc
    .array(fc.tuple(fc.nat(), word), { maxLength: 12 })
    .map((entries) => entries.map(([kind, value], i) => filler(kind, `k${i}`, value))),
  at: fc.nat(12),
  oldTag: tag,
  newTag: tag,
  newline: fc.constantFrom("\n", "\r\n"),
});

it("changes only the marked scalar, whatever surrounds it", () => {
  fc.assert(
    fc.property(documentText, ({ lines, at, oldTag, newTag, newline }) => {
      const marked = (t: string) => `image: ghcr.io/team/app:${t} # {"$imagepolicy": "ns:app"}`;
      const text = (t: string) =>
        [...lines.slice(0, at), marked(t), ...lines.slice(at)].join(newline) + newline;
      const policies = new Map([["ns:app", { name: "ghcr.io/team/app", tag: newTag }]]);
      const result = applySetters(text(oldTag), policies);
      assert.equal(result.text, text(newTag));
      assert.equal(result.changes.length, oldTag === newTag ? 0 : 1);
    }),
    propertyParameters(),
  );
});

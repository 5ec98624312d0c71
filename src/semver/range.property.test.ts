import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import { propertyParameters } from "../common/property.test-support.ts";
import { parseFluxRange } from "./range.ts";
import { compareVersions, parseVersion, type SemVer } from "./version.ts";

const part = fc.integer({ min: 0, max: 30 });
const release = fc.tuple(part, part, part).map(([a, b, c]) => `${a}.${b}.${c}`);
const version = (text: string): SemVer => parseVersion(text)!;

it("a comparator range holds exactly the versions on its side of the bound", () => {
  fc.assert(
    fc.property(release, release, (bound, candidate) => {
      const order = compareVersions(version(candidate), version(bound));
      const holds = (range: string) => parseFluxRange(range).matches(version(candidate));
      assert.equal(holds(`>=${bound}`), order >= 0);
      assert.equal(holds(`>${bound}`), order > 0);
      assert.equal(holds(`<${bound}`), order < 0);
      assert.equal(holds(`<=${bound}`), order <= 0);
      assert.equal(holds(`=${bound}`), order === 0);
      assert.equal(holds(`${bound} - ${bound}`), order === 0);
    }),
    propertyParameters(),
  );
});

it("a caret range holds its bound and nothing of a higher major (from 1.0.0 on)", () => {
  fc.assert(
    fc.property(release, release, (bound, candidate) => {
      const range = parseFluxRange(`^${bound}`);
      assert.ok(range.matches(version(bound)));
      const [low, high] = [version(bound), version(candidate)];
      if (low.major >= 1 && (high.major !== low.major || compareVersions(high, low) < 0))
        assert.equal(range.matches(high), false, `${candidate} in ^${bound}`);
    }),
    propertyParameters(),
  );
});

it("a range of ORed bounds holds what either bound holds", () => {
  fc.assert(
    fc.property(release, release, release, (a, b, candidate) => {
      const v = version(candidate);
      const either = parseFluxRange(`<${a} || >${b}`).matches(v);
      assert.equal(either, parseFluxRange(`<${a}`).matches(v) || parseFluxRange(`>${b}`).matches(v));
    }),
    propertyParameters(),
  );
});

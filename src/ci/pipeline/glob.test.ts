import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileGlob, matchingNames } from "./glob.ts";

const matches = (glob: string, name: string) => compileGlob(glob)?.test(name);

describe("job globs", () => {
  it("matches *, ?, classes, negated classes and alternatives", () => {
    assert.equal(matches("deploy-*", "deploy-prod"), true);
    assert.equal(matches("deploy-*", "build"), false);
    assert.equal(matches("test-?", "test-a"), true);
    assert.equal(matches("test-?", "test-ab"), false);
    assert.equal(matches("v[0-9]", "v7"), true);
    assert.equal(matches("v[!0-9]", "v7"), false);
    assert.equal(matches("v[!0-9]", "vx"), true);
    assert.equal(matches("{unit,lint}", "lint"), true);
    assert.equal(matches("{unit,lint}", "unitlint"), false);
  });

  it("takes other characters literally, and \\ escapes", () => {
    assert.equal(matches("a.b+c", "a.b+c"), true);
    assert.equal(matches("a.b", "axb"), false);
    assert.equal(matches("star\\*", "star*"), true);
    assert.equal(matches("star\\*", "stars"), false);
  });

  it("rejects malformed globs", () => {
    assert.equal(compileGlob("deploy-[prod"), undefined);
    assert.equal(compileGlob("{a,b"), undefined);
    assert.equal(compileGlob("trailing\\"), undefined);
  });

  it("lists the named items a glob matches", () => {
    const jobs = [{ name: "unit" }, { name: "deploy-a" }, { name: "deploy-b" }];
    assert.deepEqual(matchingNames("deploy-*", jobs), [{ name: "deploy-a" }, { name: "deploy-b" }]);
    assert.deepEqual(matchingNames("nothing", jobs), []);
    assert.equal(matchingNames("[", jobs), undefined);
  });
});

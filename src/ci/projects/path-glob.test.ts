import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compilePathGlob, expandBraces } from "./path-glob.ts";

const matches = (pattern: string, path: string) => compilePathGlob(pattern)?.(path);

describe("path globs", () => {
  it("keeps * and ? within a segment, ** across segments", () => {
    assert.equal(matches("app/client/.version", "app/client/.version"), true);
    assert.equal(matches("app/*.go", "app/main.go"), true);
    assert.equal(matches("app/*.go", "app/cmd/main.go"), false);
    assert.equal(matches("app/**/*.go", "app/cmd/x/main.go"), true);
    assert.equal(matches("app/**/*.go", "app/main.go"), true);
    assert.equal(matches("4-gitops/app/**", "4-gitops/app/src/index.js"), true);
    assert.equal(matches("4-gitops/app/**", "4-gitops/deploy/x.yaml"), false);
    assert.equal(matches("**", "any/thing"), true);
    assert.equal(matches("v?.txt", "v1.txt"), true);
    assert.equal(matches("*", ".hidden"), true);
  });

  it("expands alternatives and ignores a leading / or ./", () => {
    assert.deepEqual(expandBraces("a/{b,c{d,e}}/f"), ["a/b/f", "a/cd/f", "a/ce/f"]);
    assert.deepEqual(expandBraces("{single}"), ["{single}"]);
    assert.equal(matches("/docs/{a,b}.md", "docs/b.md"), true);
    assert.equal(matches("./docs/*.md", "docs/x.md"), true);
    assert.equal(matches("docs/*.{md,txt}", "docs/x.yaml"), false);
  });

  it("refuses malformed patterns", () => {
    assert.equal(compilePathGlob("app/[abc"), undefined);
  });
});

import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { checkImports, importedSpecifiers, violatedRule } from "../scripts/check-imports.ts";

describe("import rules (DESIGN.md §3)", () => {
  it("hold for every module under src/", async () => {
    const violations = await checkImports(path.join(import.meta.dirname, ".."));
    assert.deepEqual(violations, []);
  });

  it("find static, re-exported and dynamic imports", () => {
    const source = [
      'import { a } from "../kube/client.ts";',
      'import type { B } from "./b.ts";',
      'export { c } from "../c.ts";',
      'const d = await import("../dev/toolchain.ts");',
      'import os from "node:os";',
    ].join("\n");
    assert.deepEqual(importedSpecifiers(source), [
      "../kube/client.ts",
      "./b.ts",
      "../c.ts",
      "../dev/toolchain.ts",
    ]);
  });

  it("refuse upward imports, dev/ and cli/ from outside, and test support in production", () => {
    assert.match(violatedRule("src/kube/apply.ts", "src/controllers/finalizer.ts") ?? "", /higher row/);
    assert.match(violatedRule("src/server/server.ts", "src/dev/processes.ts") ?? "", /dev\//);
    assert.match(violatedRule("src/dev/environment.ts", "src/cli/errors.ts") ?? "", /cli\//);
    assert.match(violatedRule("src/kube/kubeconfig.ts", "src/cli/errors.ts") ?? "", /cli\//);
    assert.match(violatedRule("src/oci/image.ts", "src/oci/registry.test-support.ts") ?? "", /test support/);
    assert.equal(violatedRule("src/controllers/finalizer.ts", "src/kube/client.ts"), undefined);
    assert.equal(violatedRule("src/cli/dev/index.ts", "src/dev/environment.ts"), undefined);
    assert.equal(violatedRule("src/oci/image.test.ts", "src/oci/registry.test-support.ts"), undefined);
    assert.equal(violatedRule("src/oci/registry.test-support.ts", "src/dev/registry.ts"), undefined);
  });
});

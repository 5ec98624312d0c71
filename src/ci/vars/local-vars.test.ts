import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { interpolate } from "./interpolate.ts";
import { LocalVarScope } from "./local-vars.ts";
import { staticVarSource } from "./static-vars.ts";

describe("build-local vars ((.:name))", () => {
  const pipeline = staticVarSource({ version: "from-pipeline", plain: "p" }, "pipeline vars");

  it("answer from the innermost scope that has them, and pass the rest to the parent", async () => {
    const build = new LocalVarScope(pipeline);
    build.set("version", { number: "1.2.3" });
    const iteration = build.child();
    iteration.set("env", "staging");
    assert.deepEqual(
      await interpolate(["((.:version.number))", "((.:env))", "((plain))", "((version))"], iteration),
      ["1.2.3", "staging", "p", "from-pipeline"],
    );
    await assert.rejects(
      interpolate("((.:env))", build),
      /undefined vars:\n {2}\(\(\.:env\)\) used at \(document root\); looked in: the build's local vars/,
    );
  });
});

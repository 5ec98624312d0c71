import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VarFlagError, varsFromFlags, type SetPipelineVarFlags } from "./flag-vars.ts";
import { interpolate } from "./interpolate.ts";
import { parseVarRef } from "./reference.ts";

function filesReader(files: Record<string, string>) {
  return (path: string) =>
    files[path] === undefined ? Promise.reject(new Error(`ENOENT: ${path}`)) : Promise.resolve(files[path]);
}

async function resolve(flags: SetPipelineVarFlags, text: string, files: Record<string, string> = {}) {
  const { source } = await varsFromFlags(flags, filesReader(files));
  return source.lookup(parseVarRef(text));
}

describe("set-pipeline var flags (fly's semantics)", () => {
  it("-v is a string, -y and -i are YAML (1.1, as fly reads it)", async () => {
    const flags = {
      vars: ["s=1", "t=a=b"],
      yamlVars: ["n=1", "m={a: [1, 2]}", "yes=yes", "e="],
      instanceVars: ["i=true"],
    };
    assert.equal(await resolve(flags, "s"), "1");
    assert.equal(await resolve(flags, "t"), "a=b");
    assert.equal(await resolve(flags, "n"), 1);
    assert.deepEqual(await resolve(flags, "m"), { a: [1, 2] });
    assert.equal(await resolve(flags, "yes"), true);
    assert.equal(await resolve(flags, "e"), null);
    assert.equal(await resolve(flags, "i"), true);
  });

  it("a name with fields builds a map; a later pair for the same place wins", async () => {
    const flags = { vars: ["git.user=bot", "git.url=https://a", "git.url=https://b"] };
    assert.deepEqual(await resolve(flags, "git"), { user: "bot", url: "https://b" });
  });

  it("-v pairs come before -y pairs, which come before -i, whatever the command-line order", async () => {
    assert.equal(await resolve({ vars: ["x=from-v"], yamlVars: ["x=from-y"] }, "x"), "from-y");
    assert.equal(await resolve({ yamlVars: ["x=from-y"], instanceVars: ["x=from-i"] }, "x"), "from-i");
  });

  it("flags beat files; a later -l file beats an earlier one for the whole var", async () => {
    const files = { "a.yml": "x: from-a\ngit: {user: a, url: ua}\n", "b.yml": "git: {user: b}\ny: from-b\n" };
    const flags = { vars: ["y=from-v"], varFiles: ["a.yml", "b.yml"] };
    assert.equal(await resolve(flags, "x", files), "from-a");
    assert.equal(await resolve(flags, "y", files), "from-v");
    assert.equal(await resolve(flags, "git.user", files), "b");
    // files are not merged: b.yml's git has no url, and that is an error, not a fall-through to a.yml
    await assert.rejects(resolve(flags, "git.url", files), /git has no field "url".*vars file b\.yml/);
  });

  it("instance vars are returned expanded, and flattened into the vars", async () => {
    const { instanceVars, source } = await varsFromFlags({ instanceVars: ["branch=main", "env.region=eu"] });
    assert.deepEqual(instanceVars, { branch: "main", env: { region: "eu" } });
    assert.deepEqual(await interpolate("((env.region))-((branch))", source), "eu-main");
  });

  it("says where it looked for a var that is not there", async () => {
    const { source } = await varsFromFlags(
      { vars: ["a=1"], varFiles: ["a.yml", "b.yml"] },
      filesReader({ "a.yml": "", "b.yml": "{}" }),
    );
    assert.deepEqual(source.lookedIn(parseVarRef("nope")), [
      "set-pipeline flags (-v/-y/-i)",
      "vars file b.yml (-l)",
      "vars file a.yml (-l)",
    ]);
    assert.equal(await source.lookup(parseVarRef("vault:a")), undefined);
  });

  it("bad flags and files are errors that do not repeat the value", async () => {
    await assert.rejects(
      varsFromFlags({ vars: ["novalue"] }),
      (err) => err instanceof VarFlagError && /"novalue" for -v \(must be name=value\)/.test(err.message),
    );
    await assert.rejects(varsFromFlags({ vars: ["a..b=x"] }), /invalid var \(\(a\.\.b\)\): empty field/);
    await assert.rejects(varsFromFlags({ yamlVars: ["k={s3cret: b"] }), (err) => {
      assert.ok(err instanceof VarFlagError);
      assert.match(err.message, /^-y k: the value is not valid YAML: .*line 1/);
      assert.doesNotMatch(err.message, /s3cret/);
      return true;
    });
    await assert.rejects(
      varsFromFlags({ varFiles: ["missing.yml"] }, filesReader({})),
      /could not read vars file missing\.yml \(-l\)/,
    );
    await assert.rejects(
      varsFromFlags({ varFiles: ["l.yml"] }, filesReader({ "l.yml": "- a\n" })),
      /vars file l\.yml \(-l\) must hold a map/,
    );
  });
});

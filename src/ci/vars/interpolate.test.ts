import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { interpolate, UndefinedVarsError, VarTypeError } from "./interpolate.ts";
import { InvalidVarRefError, type VarRef } from "./reference.ts";
import { chainVarSources, namedVarSources, VarFieldError, type VarSource } from "./source.ts";
import { staticVarSource, type StaticVars } from "./static-vars.ts";

const vars = (values: StaticVars, origin = "test vars") => staticVarSource(values, origin);

/** A source counting its lookups, to check each var is looked up once per pass. */
function counting(source: VarSource): VarSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    lookup: (ref: VarRef) => {
      calls.push(ref.path);
      return source.lookup(ref);
    },
    lookedIn: (ref: VarRef) => source.lookedIn(ref),
  };
}

async function rejectsWith<E extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => E,
): Promise<E> {
  let caught: unknown;
  await promise.catch((err: unknown) => (caught = err));
  assert.ok(caught instanceof type, `expected ${type.name}, got ${String(caught)}`);
  return caught;
}

describe("interpolation typing", () => {
  const source = vars({
    map: { key: { key2: ["value1", "value2"] } },
    num: 1,
    float: 2.5,
    bool: true,
    nil: null,
    empty: "",
    str: "text",
    list: ["a"],
  });

  it("a whole value keeps the var's YAML type", async () => {
    const doc = { a: "((map))", b: "((num))", c: "((bool))", d: "((nil))", e: "((empty))", f: ["((list))"] };
    assert.deepEqual(await interpolate(doc, source), {
      a: { key: { key2: ["value1", "value2"] } },
      b: 1,
      c: true,
      d: null,
      e: "",
      f: [["a"]],
    });
  });

  it("inside a string, strings and numbers are embedded", async () => {
    const doc = { uri: "nats://nats:((str))@host:((num))/((float))", twice: "((str)):((str))" };
    assert.deepEqual(await interpolate(doc, source), {
      uri: "nats://nats:text@host:1/2.5",
      twice: "text:text",
    });
  });

  for (const [name, kind] of [
    ["map", "a map"],
    ["bool", "a boolean"],
    ["nil", "null"],
    ["list", "a list"],
  ]) {
    it(`inside a string, ${kind} is an error naming the var and the path`, async () => {
      const err = await rejectsWith(interpolate({ jobs: [{ name: `x-((${name}))` }] }, source), VarTypeError);
      assert.match(err.message, new RegExp(`\\(\\(${name}\\)\\) at jobs\\[0\\]\\.name: .* not ${kind}$`));
    });
  }

  it("keys are interpolated and stay strings", async () => {
    assert.deepEqual(await interpolate({ "((str))": 1, "((str))_cpi": "((num))", "((num))": 2 }, source), {
      text: 1,
      text_cpi: 1,
      "1": 2,
    });
    await rejectsWith(interpolate({ "((map))": 1 }, source), VarTypeError);
  });

  it("fields reach into the value; a missing field names the var and where it was found", async () => {
    assert.deepEqual(await interpolate("((map.key.key2))", source), ["value1", "value2"]);
    const err = await rejectsWith(interpolate("((map.nope))", source), VarFieldError);
    assert.equal(
      err.message,
      'var ((map.nope)): map has no field "nope" (its fields: key) (the var was found in test vars)',
    );
    const notMap = await rejectsWith(interpolate("((str.x))", source), VarFieldError);
    assert.match(notMap.message, /cannot read field "x": str is a string/);
  });

  it("leaves text that is not a reference alone and does not modify its input", async () => {
    const doc = { a: "(( str ))", b: "(()", c: 3, d: ["((str))"] };
    const result = await interpolate(doc, source);
    assert.deepEqual(result, { a: "(( str ))", b: "(()", c: 3, d: ["text"] });
    assert.deepEqual(doc.d, ["((str))"]);
  });

  it("an invalid reference is an error naming its path", async () => {
    const err = await rejectsWith(interpolate({ a: { b: "((vault:.x))" } }, source), InvalidVarRefError);
    assert.equal(err.message, "invalid var ((vault:.x)) at a.b: empty field");
  });
});

describe("undefined vars", () => {
  const doc = {
    resources: [
      { name: "repo", source: { uri: "((git.url))/demo", password: "((git.password))" } },
      { name: "image", source: { uri: "((git.url))/image", tag: "((tag))" } },
    ],
    "((key))": "v",
  };

  it("are reported together, each with where it is used and where it was looked for", async () => {
    const source = chainVarSources([vars({ tag: "latest" }, "flags"), vars({}, "vars file ci.yml")]);
    const err = await rejectsWith(interpolate(doc, source), UndefinedVarsError);
    assert.deepEqual(err.vars, [
      {
        name: "((git.url))",
        usedAt: ["resources[0].source.uri", "resources[1].source.uri"],
        lookedIn: ["flags", "vars file ci.yml"],
      },
      {
        name: "((git.password))",
        usedAt: ["resources[0].source.password"],
        lookedIn: ["flags", "vars file ci.yml"],
      },
      { name: "((key))", usedAt: ['["((key))"]'], lookedIn: ["flags", "vars file ci.yml"] },
    ]);
    assert.match(
      err.message,
      /^undefined vars:\n {2}\(\(git\.url\)\) used at resources\[0\]\.source\.uri, resources\[1\]/,
    );
  });

  it("never show a value that was found", async () => {
    const err = await rejectsWith(interpolate(doc, vars({ tag: "s3cr3t-tag" })), UndefinedVarsError);
    assert.doesNotMatch(err.message, /s3cr3t/);
  });

  it("stay as text when asked (fly's pass with the flags only)", async () => {
    const result = await interpolate(doc, vars({ tag: "latest" }), { keepUndefined: true });
    assert.deepEqual(result, {
      resources: [
        { name: "repo", source: { uri: "((git.url))/demo", password: "((git.password))" } },
        { name: "image", source: { uri: "((git.url))/image", tag: "latest" } },
      ],
      "((key))": "v",
    });
  });

  it("a var that is found but lacks the field is an error even then, as in fly", async () => {
    await rejectsWith(interpolate(doc, vars({ git: { url: "u" } }), { keepUndefined: true }), VarFieldError);
  });

  it("each distinct var is looked up once per pass", async () => {
    const source = counting(vars({ git: { url: "u", password: "p" }, tag: "t", key: "k" }));
    await interpolate(doc, source);
    assert.deepEqual(source.calls, ["git", "git", "tag", "key"]);
  });
});

describe("named var sources", () => {
  const named = namedVarSources(new Map([["vault", vars({ git: { password: "p" } }, "vault")]]));
  const source = chainVarSources([named, vars({ git: { password: "global" } }, "global")]);

  it("route ((source:var)) to the source of that name, and plain vars past it", async () => {
    assert.deepEqual(await interpolate(["((vault:git.password))", "((git.password))"], source), [
      "p",
      "global",
    ]);
  });

  it("an unknown source name is an error listing the known ones", async () => {
    await assert.rejects(
      interpolate("((nope:x))", source),
      /var \(\(nope:x\)\): no var source is named "nope" \(var_sources: vault\)/,
    );
  });
});

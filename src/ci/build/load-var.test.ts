import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Step } from "../pipeline/index.ts";
import { logLines, runScripted } from "./executor.test-support.ts";

/** Loads `file` as var v, then shows `((.:v))` in a task's params. */
const loadAndShow = (file: string, extra: Partial<Step> = {}): Step[] => [
  { load_var: "v", file, ...extra },
  { task: "show", params: { V: "((.:v))" } },
];
const shown = (run: { runs: { config: unknown }[] }) =>
  (run.runs[0]?.config as { params: { V: unknown } }).params.V;

describe("load_var", () => {
  for (const [file, format, content, value] of [
    ["out/v.json", undefined, '{"a": [1, true]}', { a: [1, true] }],
    ["out/v.yml", undefined, "a: yes\nb: [1]\n", { a: true, b: [1] }],
    ["out/v.yaml", undefined, "- x\n", ["x"]],
    ["out/v.txt", undefined, "  1.2.3\n", "1.2.3"],
    ["out/v", undefined, "1.2.3\n", "1.2.3"],
    ["out/v.json", "raw", "{}\n", "{}\n"],
    ["out/v", "json", "[1]", [1]],
    ["out/v.json", "trim", " {} ", "{}"],
  ] as const) {
    it(`${file}${format === undefined ? "" : ` with format ${format}`} → ${JSON.stringify(value)}`, async () => {
      const run = await runScripted({}, loadAndShow(file, format === undefined ? {} : { format }), {
        files: { [file]: content },
      });
      assert.equal(run.outcome, "succeeded");
      assert.deepEqual(shown(run), value);
      assert.deepEqual(run.trace, ["v started", "v succeeded", "show started", "show succeeded"]);
      assert.deepEqual(logLines(run), ["plan/0: var v fetched.", "plan/0: added var v to build."]);
    });
  }

  it("redacts the value from the build's output unless reveal is true", async () => {
    const files = { "out/token": "s3cret\n" };
    const hidden = await runScripted({}, loadAndShow("out/token"), { files });
    assert.equal(hidden.redactor.redact("token s3cret"), "token ((redacted))");
    const revealed = await runScripted({}, loadAndShow("out/token", { reveal: true }), { files });
    assert.equal(revealed.redactor.redact("token s3cret"), "token s3cret");
  });

  for (const [file, files, message] of [
    ["v.json", {}, 'plan/0: load_var v: file must be <artifact>/<path>, got "v.json"'],
    [
      "missing/v.json",
      { "out/v.json": "{}" },
      "plan/0: load_var v: unknown artifact source: missing (in missing/v.json)",
    ],
    [
      "out/nope.json",
      { "out/v.json": "{}" },
      "plan/0: load_var v: file 'nope.json' not found within artifact 'out'",
    ],
    ["out/v.json", { "out/v.json": "{" }, /^plan\/0: load_var v: out\/v\.json is not valid json: /],
    ["out/v.yml", { "out/v.yml": "a: [" }, /^plan\/0: load_var v: out\/v\.yml is not valid yml: /],
  ] as const) {
    it(`errors, saying why: ${file}`, async () => {
      const run = await runScripted({}, loadAndShow(file), { files });
      assert.equal(run.outcome, "errored");
      assert.deepEqual(run.trace, ["v started", "v errored"]);
      const [line] = logLines(run);
      if (typeof message === "string") assert.equal(line, message);
      else assert.match(line!, message);
    });
  }

  it("an invalid format from a var errors the step", async () => {
    const run = await runScripted({}, loadAndShow("out/v", { format: "((f))" }), {
      files: { "out/v": "x" },
      vars: { f: "toml" },
    });
    assert.equal(run.outcome, "errored");
    assert.deepEqual(logLines(run), ['plan/0: load_var v: invalid format "toml"']);
  });
});

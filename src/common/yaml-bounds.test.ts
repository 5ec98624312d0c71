import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDocument } from "yaml";
import { boundedToJS, checkYamlSize, YamlLimitError, yamlBound } from "./yaml-bounds.ts";
import { aliasBomb } from "./yaml-bounds.test-support.ts";

describe("YAML bounds", () => {
  it("stops a billion-laughs document fast, naming the limit and how to raise it", () => {
    const started = performance.now();
    assert.throws(
      () => boundedToJS(parseDocument(aliasBomb()), "file lol.yaml"),
      (error: unknown) => {
        assert.ok(error instanceof YamlLimitError);
        assert.equal(error.limit, "aliases");
        assert.match(error.message, /^file lol\.yaml expands more than the YAML alias limit of 1000/);
        assert.match(error.message, /SLUICE_YAML_MAX_ALIASES/);
        return true;
      },
    );
    assert.ok(performance.now() - started < 1000);
  });

  it("keeps ordinary anchors and aliases", () => {
    const text = "base: &base {a: 1}\nfirst: *base\nsecond: *base\n";
    assert.deepEqual(boundedToJS(parseDocument(text), "file x.yaml"), {
      base: { a: 1 },
      first: { a: 1 },
      second: { a: 1 },
    });
  });

  it("refuses a text over the size bound before parsing it", () => {
    const previous = process.env["SLUICE_YAML_MAX_BYTES"];
    process.env["SLUICE_YAML_MAX_BYTES"] = "1024";
    try {
      checkYamlSize("a: b\n".repeat(100), "file small.yaml");
      assert.throws(
        () => checkYamlSize("é".repeat(513), "file big.yaml"),
        /file big\.yaml is larger than the YAML size limit of 1024 bytes; raise it with SLUICE_YAML_MAX_BYTES/,
      );
    } finally {
      if (previous === undefined) delete process.env["SLUICE_YAML_MAX_BYTES"];
      else process.env["SLUICE_YAML_MAX_BYTES"] = previous;
    }
  });

  it("takes a bound from the environment only when it is a positive integer", () => {
    assert.equal(yamlBound("aliases", { SLUICE_YAML_MAX_ALIASES: "5000" }), 5000);
    assert.equal(yamlBound("aliases", { SLUICE_YAML_MAX_ALIASES: "-1" }), 1000);
    assert.equal(yamlBound("aliases", { SLUICE_YAML_MAX_ALIASES: "lots" }), 1000);
    assert.equal(yamlBound("size", {}), 16 * 1024 * 1024);
  });
});

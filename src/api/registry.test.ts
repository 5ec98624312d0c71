import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { crds, renderCrdsYaml } from "./registry.ts";

describe("CRD registry", () => {
  it("lists each CRD once", () => {
    const names = crds.map((c) => c.metadata.name);
    assert.ok(names.includes("gitrepositories.source.toolkit.fluxcd.io"));
    assert.equal(new Set(names).size, names.length);
  });

  it("renders every CRD as one YAML document, without anchors", () => {
    const yaml = renderCrdsYaml();
    const docs = parseAllDocuments(yaml);
    assert.equal(docs.length, crds.length);
    assert.deepEqual(
      docs.map((d) => d.toJS() as unknown),
      crds.map((c) => JSON.parse(JSON.stringify(c)) as unknown),
    );
    assert.doesNotMatch(yaml, /[&*]a\d+\b/);
    assert.ok(yaml.startsWith("---\napiVersion: apiextensions.k8s.io/v1\n"));
  });
});

import assert from "node:assert/strict";
import { it } from "node:test";
import { fluxApiVersions, requestedAtAnnotation } from "./kinds.ts";
import { crds } from "./registry.ts";

it("gives each served kind its CRD's storage version", () => {
  for (const crd of crds) {
    const storage = crd.spec.versions.find((v) => v.storage)?.name;
    const kind = crd.spec.names.kind as keyof typeof fluxApiVersions;
    assert.equal(fluxApiVersions[kind], `${crd.spec.group}/${storage}`, kind);
  }
});

it("names the reconcile request annotation as Flux does", () => {
  assert.equal(requestedAtAnnotation, "reconcile.fluxcd.io/requestedAt");
});

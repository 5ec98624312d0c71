import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../kube/objects.ts";
import { SubstitutionError, VariablesNotFoundError } from "./errors.ts";
import { type VariableLookup, resolveVariables, substituteObject, substituteObjects } from "./substitute.ts";

function object(metadata: KubeObject["metadata"], rest: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata, ...rest };
}

const cm = object(
  { name: "app-${env}", namespace: "default" },
  {
    data: {
      greeting: "hello ${name:=world}",
      literal: "$${kept}",
      shell: "echo $HOME",
      region: "${region}",
    },
  },
);

describe("resolveVariables", () => {
  const sources: Record<string, Record<string, string>> = {
    "ConfigMap/first": { a: "cm-first", b: "cm-first", multi: "line1\nline2\n" },
    "Secret/second": { b: "secret-second", c: "secret-second" },
    "ConfigMap/bad": { "not-valid": "x" },
  };
  const lookup: VariableLookup = (kind, name) => Promise.resolve(sources[`${kind}/${name}`]);

  it("lets later sources override earlier ones and substitute override all; strips newlines", async () => {
    const vars = await resolveVariables(
      {
        substituteFrom: [
          { kind: "ConfigMap", name: "first" },
          { kind: "Secret", name: "second" },
          { kind: "ConfigMap", name: "absent", optional: true },
        ],
        substitute: { c: "inline", d: "inline\n" },
      },
      lookup,
    );
    assert.deepEqual(vars, {
      a: "cm-first",
      b: "secret-second",
      multi: "line1line2",
      c: "inline",
      d: "inline",
    });
  });

  it("fails on a missing source that is not optional, naming it", async () => {
    await assert.rejects(
      resolveVariables({ substituteFrom: [{ kind: "Secret", name: "absent" }] }, lookup),
      (err) =>
        err instanceof VariablesNotFoundError &&
        err.message === "substituteFrom Secret 'absent' not found (set optional: true to proceed without it)",
    );
  });

  it("refuses keys that are not variable names, naming the source", async () => {
    await assert.rejects(resolveVariables({ substituteFrom: [{ kind: "ConfigMap", name: "bad" }] }, lookup), {
      name: "SubstitutionError",
      message: /^ConfigMap 'bad': 'not-valid' is not a valid variable name/,
    });
    await assert.rejects(
      resolveVariables({ substitute: { "1x": "y" } }, lookup),
      /'1x' is not a valid variable name/,
    );
  });

  it("passes lookup failures through", async () => {
    const failing: VariableLookup = () => Promise.reject(new Error("forbidden"));
    await assert.rejects(
      resolveVariables({ substituteFrom: [{ kind: "ConfigMap", name: "x" }] }, failing),
      /forbidden/,
    );
  });
});

describe("substituteObjects", () => {
  it("does nothing without variables, even in strict mode", () => {
    const [out] = substituteObjects([cm], {}, { strict: true });
    assert.equal(out, cm);
  });

  it("substitutes defaults, escapes and undefined variables as Flux does", () => {
    const [out] = substituteObjects([cm], { env: "prod" });
    assert.deepEqual(out, {
      ...cm,
      metadata: { name: "app-prod", namespace: "default" },
      // `region: ${region}` becomes `region: `, which YAML reads as null, in Flux too.
      data: { greeting: "hello world", literal: "${kept}", shell: "echo $HOME", region: null },
    });
  });

  it("fails in strict mode on an undefined variable, naming the object and variable", () => {
    assert.throws(
      () => substituteObjects([cm], { env: "prod" }, { strict: true }),
      (err) =>
        err instanceof SubstitutionError &&
        err.object === "ConfigMap/default/app-${env}" &&
        err.message.includes("variable 'region' is not set and has no default"),
    );
  });

  it("skips objects labelled or annotated substitute: disabled", () => {
    const annotated = object({
      name: "${x}",
      annotations: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" },
    });
    const labelled = object({
      name: "${x}",
      labels: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" },
    });
    const enabled = object({
      name: "${x}",
      annotations: { "kustomize.toolkit.fluxcd.io/substitute": "enabled" },
    });
    const out = substituteObjects([annotated, labelled, enabled], { x: "v" });
    assert.equal(out[0], annotated);
    assert.equal(out[1], labelled);
    assert.equal(out[2]?.metadata.name, "v");
  });
});

describe("substituteObject", () => {
  it("reads substituted scalars as YAML, so numbers and booleans get their types", () => {
    const deployment: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d" },
      spec: {
        replicas: "${replicas}",
        paused: "${paused}",
        mode: "${mode}",
        quoted: "${quote}${id}${quote}",
      },
    };
    const out = substituteObject(deployment, {
      replicas: "3",
      paused: "on",
      mode: "0644",
      quote: '"',
      id: "123",
    });
    assert.deepEqual(out["spec"], { replicas: 3, paused: true, mode: 420, quoted: "123" });
  });

  it("keeps values that only look like other types when they are not substituted", () => {
    const tricky = object(
      { name: "x-${v}" },
      { data: { a: "yes", b: "0644", c: "1:20", d: "2024-01-01", e: "null" } },
    );
    const out = substituteObject(tricky, { v: "1" });
    assert.deepEqual(out["data"], tricky["data"]);
  });

  it("fails with the object's name when the result is not valid YAML", () => {
    const broken = object({ name: "broken", namespace: "ns" }, { data: { key: "${value}" } });
    assert.throws(
      () => substituteObject(broken, { value: "[unclosed" }),
      (err) =>
        err instanceof SubstitutionError &&
        err.object === "ConfigMap/ns/broken" &&
        err.message.startsWith("ConfigMap/ns/broken: not valid YAML after variable substitution"),
    );
  });

  it("reports malformed expressions, without quoting Secrets", () => {
    const script = object({ name: "script" }, { data: { run: "echo ${unclosed" } });
    assert.throws(() => substituteObject(script, { a: "b" }), {
      message: "ConfigMap/script: variable substitution failed: missing closing brace in '${unclosed'",
    });
    const secret: KubeObject = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      stringData: { t: "${tok" },
    };
    assert.throws(() => substituteObject(secret, { a: "b" }), {
      message: "Secret/s: variable substitution failed: missing closing brace",
    });
  });

  it("refuses variable names Flux refuses", () => {
    assert.throws(() => substituteObjects([cm], { "a-b": "x" }), /'a-b' is not a valid variable name/);
  });
});

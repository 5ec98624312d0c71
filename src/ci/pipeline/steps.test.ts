// The shape of a pipeline: unknown fields, wrong types and malformed steps, each reported at its
// path in Concourse's style.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pipelineErrors, validPipeline, withPlan } from "./parse.test-support.ts";

describe("unknown fields", () => {
  it("names a step's unknown field after its step key", () => {
    const plan = `
      - get: repo
      - task: unit
        file: repo/unit.yml
      - task: build-image
        priviledged: true
        file: repo/build.yml`;
    assert.deepEqual(pipelineErrors(withPlan(plan)), ['jobs[0].plan[2].task: unknown field "priviledged"']);
  });

  it("reports every unknown field of every step, nested ones at their paths", () => {
    const plan = `
      - get: repo
        triger: true
      - in_parallel:
          - put: repo
            param: {}
      - in_parallel:
          steps: [{ do: [{ try: { load_var: v, file: repo/v, formt: json } }] }]
          fail_fast: true
      - set_pipeline: self
        file: repo/p.yml
        tags: [linux]
        on_failure: { get: repo, trigger: true, passd: [] }`;
    assert.deepEqual(pipelineErrors(withPlan(plan)), [
      'jobs[0].plan[0].get: unknown field "triger"',
      'jobs[0].plan[1].in_parallel[0].put: unknown field "param"',
      'jobs[0].plan[2].in_parallel.steps[0].do[0].try.load_var: unknown field "formt"',
      'jobs[0].plan[3].on_failure.get: unknown field "passd"',
      'jobs[0].plan[3].set_pipeline: unknown field "tags"',
    ]);
  });

  it("rejects unknown fields of resources, resource types, jobs, groups and task configs, in the schema's order", () => {
    const yaml = `
resource_types: [{ name: rss, type: registry-image, source: {}, privilidged: true }]
resources: [{ name: repo, type: git, sorce: { uri: u } }]
groups: [{ name: all, jobs: ["*"], resource: [repo] }]
jobs:
  - name: main
    serial_group: [deploy]
    plan:
      - get: repo
      - task: unit
        config:
          platform: linux
          ouputs: [{ name: out }]
          run: { path: make, argz: [test] }
          container_limits: { cpu: 1, mem: 1GB }
`;
    assert.deepEqual(pipelineErrors(yaml), [
      'resources[0]: unknown field "sorce"',
      'resource_types[0]: unknown field "privilidged"',
      'jobs[0].plan[1].config.container_limits: unknown field "mem"',
      'jobs[0].plan[1].config.run: unknown field "argz"',
      'jobs[0].plan[1].config: unknown field "ouputs"',
      'jobs[0]: unknown field "serial_group"',
      'groups[0]: unknown field "resource"',
    ]);
  });

  it("accepts fail_fast on an across step only (a wrapper Concourse parses with across)", () => {
    const plan = `
      - get: repo
        fail_fast: true`;
    assert.deepEqual(pipelineErrors(withPlan(plan)), [
      "jobs[0].plan[0].fail_fast: fail_fast applies to across steps only",
    ]);
  });
});

describe("malformed steps", () => {
  it("rejects a step with two step keys", () => {
    assert.deepEqual(pipelineErrors(withPlan("[{ get: repo, put: repo }]")), [
      'jobs[0].plan[0]: a step has one step key, this one has "put" and "get"',
    ]);
  });

  it("rejects a step with two step keys even when each would be valid alone", () => {
    assert.deepEqual(pipelineErrors(withPlan("[{ get: repo }, { task: t, file: f, do: [] }]")), [
      'jobs[0].plan[1]: a step has one step key, this one has "task" and "do"',
    ]);
  });

  it("rejects a step with no step key, and a step that is not a map", () => {
    assert.deepEqual(pipelineErrors(withPlan("[{ get: repo }, { timeout: 1m }, get]")), [
      "jobs[0].plan[1]: no step configured: expected one of task, put, get, set_pipeline, load_var, try, do, in_parallel",
      'jobs[0].plan[2]: expected a step, got string "get"',
    ]);
  });
});

describe("wrong types", () => {
  it("names the field and what it wanted", () => {
    const plan = `
      - get: repo
        trigger: "true"
        passed: main
        version: { ref: 123 }
      - put: repo
        inputs: everything
        attempts: 1.5
      - task: t
        file: f
        input_mapping: { src: [repo] }
      - in_parallel: { steps: [], limit: 0 }
      - load_var: v
        file: f
        format: toml
      - do: { get: repo }`;
    assert.deepEqual(pipelineErrors(withPlan(plan)), [
      "jobs[0].plan[0].version.ref: expected a string, got number 123",
      'jobs[0].plan[0].passed: expected a list, got string "main"',
      'jobs[0].plan[0].trigger: expected a boolean, or a ((var)), got string "true"',
      'jobs[0].plan[1].inputs: expected all, detect or a list of names, or a ((var)), got string "everything"',
      "jobs[0].plan[1].attempts: expected an integer, or a ((var)), got number 1.5",
      "jobs[0].plan[2].input_mapping.src: expected a string, got a list",
      "jobs[0].plan[3].in_parallel.limit: must be greater than 0",
      'jobs[0].plan[4].format: expected json, yaml, yml, trim or raw, or a ((var)), got string "toml"',
      "jobs[0].plan[5].do: expected a list, got a map",
    ]);
  });

  it("reports missing required fields", () => {
    const yaml = `
resources: [{ name: repo }]
jobs: [{ name: main }]
`;
    assert.deepEqual(pipelineErrors(yaml), [
      "resources[0].type: missing field",
      "jobs[0].plan: missing field",
    ]);
  });

  it("checks durations: check_every (or never), check_timeout and timeout", () => {
    const yaml = `
resources:
  - { name: a, type: git, check_every: 1m }
  - { name: b, type: git, check_every: never }
  - { name: c, type: git, check_every: 5 minutes, check_timeout: 1d }
jobs:
  - name: main
    plan:
      - { get: a }
      - { get: b }
      - { get: c, timeout: 1h30m }
      - { do: [], timeout: soon }
`;
    assert.deepEqual(pipelineErrors(yaml), [
      'resources[2].check_every: invalid check_every "5 minutes": expected a Go duration such as 30s, 1m or 1h30m, or never',
      'resources[2].check_timeout: invalid duration "1d": expected a Go duration such as 30s, 1m or 1h30m',
      'jobs[0].plan[3].timeout: invalid duration "soon": expected a Go duration such as 30s, 1m or 1h30m',
    ]);
  });

  it("checks across vars and max_in_flight", () => {
    const plan = `
      - get: repo
      - task: t
        file: f
        across:
          - { var: a, values: [1, 2], max_in_flight: all }
          - { var: b, values: ((list)), max_in_flight: 0 }
          - { var: c, values: [x], max_in_flight: some }
          - { var: d, value: [x] }
      - do: []
        across: []`;
    assert.deepEqual(pipelineErrors(withPlan(plan)), [
      "jobs[0].plan[1].across[1].max_in_flight: must be greater than 0",
      'jobs[0].plan[1].across[2].max_in_flight: expected "all" or a count, or a ((var)), got string "some"',
      'jobs[0].plan[1].across[3]: unknown field "value"',
      "jobs[0].plan[2].across: no vars specified",
    ]);
  });
});

describe("the typed result", () => {
  it("keeps in_parallel in the form it was written", () => {
    const { pipeline } = validPipeline(
      withPlan("[{ in_parallel: [{ get: repo }] }, { in_parallel: { steps: [], limit: 2 } }]"),
    );
    assert.deepEqual(pipeline.jobs?.[0]?.plan, [
      { in_parallel: [{ get: "repo" }] },
      { in_parallel: { steps: [], limit: 2 } },
    ]);
  });
});

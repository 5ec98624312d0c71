// The checks that need the whole pipeline, each with its exact message.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parsePipeline } from "./parse.ts";
import { invalidPipeline, pipelineErrors, validPipeline, withPlan } from "./parse.test-support.ts";

describe("names", () => {
  it("rejects duplicate names of resources, resource types, jobs, groups and var sources", () => {
    const yaml = `
resource_types:
  - { name: rss, type: registry-image, source: {} }
  - { name: rss, type: registry-image, source: {} }
resources:
  - { name: repo, type: git }
  - { name: feed, type: rss }
  - { name: repo, type: git }
var_sources:
  - { name: vault, type: vault }
  - { name: vault, type: vault }
jobs:
  - { name: test, plan: [{ get: repo }, { get: feed }] }
  - { name: test, plan: [{ get: repo }] }
groups:
  - { name: all, jobs: [test] }
  - { name: all, jobs: [test] }
`;
    assert.deepEqual(pipelineErrors(yaml), [
      "resources[2].name: 'repo' is already the name of resources[0]",
      "resource_types[1].name: 'rss' is already the name of resource_types[0]",
      "jobs[1].name: 'test' is already the name of jobs[0]",
      "groups[1].name: 'all' is already the name of groups[0]",
      "var_sources[1].name: 'vault' is already the name of var_sources[0]",
    ]);
  });

  it("rejects empty names and warns of names Concourse would not accept", () => {
    const yaml = `
resources:
  - { name: "", type: git }
  - { name: My-Repo, type: git }
  - { name: "1234", type: git }
  - { name: repo_2.x, type: git }
  - { name: "repo@x", type: git }
jobs:
  - name: main
    plan: [{ get: "" }, { get: My-Repo }, { get: "1234" }, { get: repo_2.x }, { get: "repo@x" }]
`;
    assert.deepEqual(invalidPipeline(yaml), {
      errors: [
        "resources[0].name: identifier cannot be an empty string",
        "jobs[0].plan[0].get: identifier cannot be an empty string",
      ],
      warnings: [
        "resources[1].name: 'My-Repo' is not a valid identifier: must start with a lowercase letter or a number",
        "resources[2].name: '1234' is not a valid identifier: cannot be just numbers",
        "resources[4].name: 'repo@x' is not a valid identifier: illegal character '@'",
        "jobs[0].plan[1].get: 'My-Repo' is not a valid identifier: must start with a lowercase letter or a number",
        "jobs[0].plan[2].get: '1234' is not a valid identifier: cannot be just numbers",
        "jobs[0].plan[4].get: 'repo@x' is not a valid identifier: illegal character '@'",
      ],
    });
  });
});

describe("resources and resource types", () => {
  it("rejects a get or put of an unknown resource, wherever the step is", () => {
    const yaml = withPlan(`
      - get: repo
      - get: source
        resource: sorce
      - try: { put: image }
    ensure: { put: notify }`);
    assert.deepEqual(pipelineErrors(yaml), [
      "jobs[0].plan[1].get: unknown resource 'sorce'",
      "jobs[0].plan[2].try.put: unknown resource 'image'",
      "jobs[0].ensure.put: unknown resource 'notify'",
    ]);
  });

  it("rejects a resource of an unknown type; core types and declared resource types are known", () => {
    const yaml = `
resource_types:
  - { name: rss, type: registry-image, source: { repository: rss-resource } }
  - { name: pr, type: prr, source: {} }
  - { name: slack, type: slack, source: {} }
resources:
  - { name: a, type: git }
  - { name: b, type: semver }
  - { name: c, type: registry-image }
  - { name: d, type: docker-image }
  - { name: e, type: time }
  - { name: f, type: rss }
  - { name: g, type: gti }
  - { name: h, type: ((type)) }
jobs:
  - name: main
    plan: [{ get: a }, { get: b }, { get: c }, { get: d }, { get: e }, { get: f }, { get: g }, { get: h }]
`;
    const known =
      "not a core type (docker-image, git, registry-image, semver, time) nor declared in resource_types";
    assert.deepEqual(pipelineErrors(yaml), [
      `resource_types[1].type: unknown resource type 'prr': ${known}`,
      `resource_types[2].type: unknown resource type 'slack': ${known}`,
      `resources[6].type: unknown resource type 'gti': ${known}`,
    ]);
  });

  it("takes the core types from the options", () => {
    const yaml = `
resources: [{ name: r, type: s3 }]
jobs: [{ name: main, plan: [{ get: r }] }]
`;
    assert.equal(parsePipeline(yaml).ok, false);
    assert.equal(parsePipeline(yaml, { coreResourceTypes: ["s3"] }).ok, true);
  });

  it("checks the type of a task's image_resource", () => {
    const yaml = withPlan(`
      - get: repo
      - task: unit
        config: { platform: linux, image_resource: { type: registy-image, source: {} }, run: { path: make } }`);
    assert.deepEqual(pipelineErrors(yaml), [
      "jobs[0].plan[1].config.image_resource.type: unknown resource type 'registy-image': not a core type (docker-image, git, registry-image, semver, time) nor declared in resource_types",
    ]);
  });

  it("rejects a resource no job uses, as Concourse does", () => {
    const yaml = `
resources: [{ name: repo, type: git }, { name: spare, type: time }]
groups: [{ name: all, jobs: [main], resources: [spare] }]
jobs: [{ name: main, plan: [{ get: repo }] }]
`;
    assert.deepEqual(pipelineErrors(yaml), ["resources[1]: resource 'spare' is not used"]);
  });
});

describe("passed", () => {
  const yaml = (passed: string) => `
resources: [{ name: repo, type: git }, { name: other, type: git }]
jobs:
  - { name: unit, plan: [{ get: repo, trigger: true }] }
  - { name: lint, plan: [{ get: other }] }
  - { name: integration-a, plan: [{ get: repo, passed: [unit] }] }
  - { name: integration-b, plan: [{ get: repo, passed: [unit] }] }
  - { name: ship, plan: [{ get: repo, passed: ${passed} }] }
`;

  it("accepts jobs that get or put the resource, and globs", () => {
    validPipeline(yaml("[unit, integration-*]"));
    validPipeline(yaml('["integration-?"]'));
  });

  it("rejects a job that does not exist and a job that does not touch the resource", () => {
    assert.deepEqual(pipelineErrors(yaml("[unit, deploy, lint, staging-*]")), [
      "jobs[4].plan[0].passed[1]: no job matches 'deploy'",
      "jobs[4].plan[0].passed[2]: job 'lint' does not get or put resource 'repo'",
      "jobs[4].plan[0].passed[3]: no job matches 'staging-*'",
    ]);
  });

  it("rejects a cycle, naming its jobs in order", () => {
    const cyclic = `
resources: [{ name: repo, type: git }]
jobs:
  - { name: build, plan: [{ get: repo }] }
  - { name: test, plan: [{ get: repo, passed: [build, deploy] }] }
  - { name: deploy, plan: [{ get: repo, passed: [test] }] }
`;
    assert.deepEqual(pipelineErrors(cyclic), [
      "jobs[1]: pipeline contains a cycle through passed: test -> deploy -> test",
    ]);
  });

  it("rejects a job that passes through itself", () => {
    const selfish = `
resources: [{ name: repo, type: git }]
jobs: [{ name: loop, plan: [{ get: repo, passed: [loop] }] }]
`;
    assert.deepEqual(pipelineErrors(selfish), [
      "jobs[0]: pipeline contains a cycle through passed: loop -> loop",
    ]);
  });
});

describe("groups", () => {
  const yaml = (groups: string) => `
resources: [{ name: repo, type: git }]
jobs:
  - { name: unit, plan: [{ get: repo }] }
  - { name: deploy-staging, plan: [{ get: repo }] }
  - { name: deploy-prod, plan: [{ get: repo }] }
groups: ${groups}
`;

  it("accepts globs that cover every job", () => {
    validPipeline(
      yaml("[{ name: test, jobs: [unit] }, { name: deploy, jobs: [deploy-*], resources: [repo] }]"),
    );
    validPipeline(yaml('[{ name: all, jobs: ["{unit,deploy-*}"] }]'));
  });

  it("rejects an unknown job, an unknown resource, a bad glob and a job in no group", () => {
    assert.deepEqual(
      pipelineErrors(yaml('[{ name: test, jobs: [unit, integration, "deploy-[prod"], resources: [rpeo] }]')),
      [
        "groups[0].jobs[1]: no job matches 'integration'",
        "groups[0].jobs[2]: invalid glob expression 'deploy-[prod'",
        "groups[0].resources[0]: unknown resource 'rpeo'",
        "jobs[1]: job 'deploy-staging' belongs to no group",
        "jobs[2]: job 'deploy-prod' belongs to no group",
      ],
    );
  });
});

describe("steps", () => {
  it("rejects a task with neither file nor config, or both", () => {
    assert.deepEqual(
      pipelineErrors(
        withPlan("[{ get: repo }, { task: a }, { task: b, file: repo/b.yml, config: { platform: linux } }]"),
      ),
      [
        "jobs[0].plan[1].task: must specify either `file:` or `config:`",
        "jobs[0].plan[2].task: must specify one of `file:` or `config:`, not both",
      ],
    );
  });

  it("warns when a task's image: overrides the image of its config", () => {
    const { warnings } = validPipeline(
      withPlan(
        "[{ get: repo }, { task: a, image: repo, config: { platform: linux, rootfs_uri: docker:///busybox } }]",
      ),
    );
    assert.deepEqual(warnings, [
      "jobs[0].plan[1].task: specifies image: on the step and an image under config: - the image: on the step takes precedence",
    ]);
  });

  it("rejects set_pipeline and load_var without a file", () => {
    assert.deepEqual(pipelineErrors(withPlan("[{ get: repo }, { set_pipeline: self }, { load_var: v }]")), [
      "jobs[0].plan[1].set_pipeline: no file specified",
      "jobs[0].plan[2].load_var: no file specified",
    ]);
  });

  it("rejects two gets of the same name in one job", () => {
    assert.deepEqual(
      pipelineErrors(withPlan("[{ get: repo }, { in_parallel: [{ get: repo, passed: [] }] }]")),
      ["jobs[0].plan[1].in_parallel[0].get: repeated name 'repo': another get step of this job has it"],
    );
  });

  it("rejects an across var named twice, and warns when a var shadows an outer one", () => {
    const plan = `
      - get: repo
      - load_var: version
        file: repo/version
      - do:
          - task: build-((.:os))
            file: repo/build.yml
            across:
              - { var: os, values: [linux, darwin] }
              - { var: os, values: [amd64] }
        across: [{ var: version, values: [a] }]`;
    const result = parsePipeline(withPlan(plan));
    assert.equal(result.ok, false);
    assert.deepEqual(result.errors, [
      { path: "jobs[0].plan[2].do[0].across[1].var", message: "repeated var name 'os'" },
    ]);
    assert.deepEqual(result.warnings, [
      { path: "jobs[0].plan[2].across[0].var", message: "shadows local var 'version'" },
    ]);
  });

  it("scopes across vars to the step they run, not its hooks nor the next steps", () => {
    const plan = `
      - get: repo
      - task: t-((.:i))
        file: repo/t.yml
        across: [{ var: i, values: [1, 2] }]
        on_failure: { load_var: i, file: repo/i }
      - load_var: i
        file: repo/i`;
    const result = parsePipeline(withPlan(plan));
    assert.ok(!result.ok);
    assert.deepEqual(result.errors, [{ path: "jobs[0].plan[2].load_var", message: "repeated var name 'i'" }]);
    assert.deepEqual(result.warnings, []);
  });
});

describe("jobs", () => {
  it("rejects a pipeline without jobs", () => {
    assert.deepEqual(pipelineErrors("resources: []\n"), ["jobs: pipeline must contain at least one job"]);
  });

  it("checks build log retention, and warns of the deprecated build_logs_to_retain", () => {
    const yaml = `
resources: [{ name: repo, type: git }]
jobs:
  - { name: a, plan: [{ get: repo }], build_logs_to_retain: 10 }
  - { name: b, plan: [{ get: repo }], build_logs_to_retain: 10, build_log_retention: { builds: 5 } }
  - { name: c, plan: [{ get: repo }], build_log_retention: { builds: -1, days: -2 } }
  - { name: d, plan: [{ get: repo }], build_log_retention: { builds: 5, minimum_succeeded_builds: 6 } }
`;
    assert.deepEqual(invalidPipeline(yaml), {
      errors: [
        "jobs[1]: can't use both build_log_retention and build_logs_to_retain",
        "jobs[2].build_log_retention.builds: must not be negative, got -1",
        "jobs[2].build_log_retention.days: must not be negative, got -2",
        "jobs[3].build_log_retention.minimum_succeeded_builds: 6 is greater than build_log_retention.builds (5)",
      ],
      warnings: [
        "jobs[0].build_logs_to_retain: deprecated: use build_log_retention instead",
        "jobs[1].build_logs_to_retain: deprecated: use build_log_retention instead",
      ],
    });
  });
});

describe("display", () => {
  it("accepts http, https and relative background images only", () => {
    const yaml = (image: string) => `
resources: [{ name: repo, type: git }]
jobs: [{ name: main, plan: [{ get: repo }] }]
display: { background_image: "${image}", background_filter: "opacity(30%)" }
`;
    validPipeline(yaml("https://example.com/bg.png"));
    validPipeline(yaml("/public/bg.png"));
    assert.deepEqual(pipelineErrors(yaml("file:///etc/passwd")), [
      "display.background_image: scheme must be http, https or none (a relative URL)",
    ]);
  });
});

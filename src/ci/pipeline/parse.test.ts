import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { aliasBomb } from "../../common/yaml-bounds.test-support.ts";
import { parsePipeline } from "./parse.ts";
import { pipelineErrors, validPipeline } from "./parse.test-support.ts";

const testdata = (name: string) => readFileSync(new URL(`testdata/${name}`, import.meta.url), "utf8");

describe("parsePipeline: the demo pipeline of issue 11", () => {
  it("is valid without warnings, its ((vars)) kept as text", () => {
    const { pipeline, warnings } = validPipeline(testdata("demo.yaml"));
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      pipeline.resources?.map((r) => [r.name, r.type]),
      [
        ["version", "semver"],
        ["source-code", "git"],
        ["docker-image", "registry-image"],
      ],
    );
    assert.equal(pipeline.resources?.[0]?.source?.["commit_message"], "((git.commit-message))");
    assert.equal(pipeline.resources?.[1]?.source?.["uri"], "((git.url))/kuberocks/demo");
  });

  it("keeps the steps' fields with their YAML types", () => {
    const [job] = validPipeline(testdata("demo.yaml")).pipeline.jobs ?? [];
    assert.equal(job?.name, "build");
    const [get, buildSource, buildImage, putVersion, putImage] = job?.plan ?? [];
    assert.deepEqual(get, { get: "source-code", trigger: true });
    assert.ok(buildSource && "task" in buildSource);
    assert.equal(buildSource.config?.image_resource?.source["tag"], "8.0");
    assert.deepEqual(buildSource.config?.caches, [{ path: "/root/.nuget/packages" }]);
    assert.match(buildSource.config?.run?.args?.[1] ?? "", /^dotnet format/);
    assert.ok(buildImage && "task" in buildImage);
    assert.equal(buildImage.privileged, true);
    assert.deepEqual(buildImage.config?.outputs, [{ name: "image" }]);
    assert.deepEqual(putVersion, { put: "version", params: { bump: "patch" } });
    assert.deepEqual(putImage, {
      put: "docker-image",
      params: { additional_tags: "version/number", image: "image/image.tar" },
    });
  });

  it("accepts the pipeline that sets it (set_pipeline by name and self)", () => {
    const [job] = validPipeline(testdata("main.yaml")).pipeline.jobs ?? [];
    assert.deepEqual(job?.plan.slice(1), [
      { set_pipeline: "demo", file: "ci/pipelines/demo.yaml" },
      { set_pipeline: "self", file: "ci/pipelines/main.yaml" },
    ]);
  });
});

describe("parsePipeline: YAML", () => {
  const anchored = `
shared:
  git-source: &git-source { uri: https://git.example.com/app.git, branch: main }
  image: &image { type: registry-image, source: { repository: busybox } }
resources:
  - name: app
    type: git
    source:
      <<: *git-source
      branch: release
jobs:
  - name: test
    plan:
      - get: app
        trigger: true
      - task: unit
        config: { platform: linux, image_resource: *image, run: { path: make } }
      - task: lint
        config: { platform: linux, image_resource: *image, run: { path: lint } }
`;

  it("resolves anchors, aliases and merge keys", () => {
    const { pipeline } = validPipeline(anchored);
    assert.deepEqual(pipeline.resources?.[0]?.source, {
      uri: "https://git.example.com/app.git",
      branch: "release",
    });
    const [, unit, lint] = pipeline.jobs?.[0]?.plan ?? [];
    const image = { type: "registry-image", source: { repository: "busybox" } };
    assert.ok(unit && "task" in unit && lint && "task" in lint);
    assert.deepEqual(unit.config?.image_resource, image);
    assert.deepEqual(lint.config?.image_resource, image);
  });

  it("drops unknown top-level keys without a word", () => {
    const { pipeline, warnings } = validPipeline(anchored);
    assert.equal("shared" in pipeline, false);
    assert.deepEqual(warnings, []);
  });

  it("reads booleans as Concourse's YAML 1.1 does (yes, on)", () => {
    const { pipeline } = validPipeline(anchored.replace("trigger: true", "trigger: yes"));
    assert.deepEqual(pipeline.jobs?.[0]?.plan[0], { get: "app", trigger: true });
  });

  it("reports malformed YAML, duplicate keys and a document that is not a map", () => {
    const [syntax] = pipelineErrors("jobs: [\n");
    assert.match(syntax ?? "", /^invalid YAML: /);
    const [duplicate] = pipelineErrors("jobs: []\njobs: []\n");
    assert.match(duplicate ?? "", /^invalid YAML: Map keys must be unique/);
    assert.deepEqual(pipelineErrors("- a\n- b\n"), ["a pipeline is a map with resources, jobs, …"]);
  });

  it("refuses an alias bomb fast, naming the limit and how to raise it", () => {
    const started = performance.now();
    const [error] = pipelineErrors(aliasBomb());
    assert.match(
      error ?? "",
      /the pipeline expands more than the YAML alias limit of 1000 .*SLUICE_YAML_MAX_ALIASES/,
    );
    assert.ok(performance.now() - started < 1000);
  });

  it("returns the warnings of a valid pipeline and the typed config", () => {
    const result = parsePipeline(anchored.replace("name: test", "name: Test"));
    assert.equal(result.ok, true);
    assert.deepEqual(result.warnings, [
      {
        path: "jobs[0].name",
        message: "'Test' is not a valid identifier: must start with a lowercase letter or a number",
      },
    ]);
  });
});

describe("parsePipeline: ((vars)) in place of scalars", () => {
  const withVars = `
resources:
  - name: repo
    type: ((repo-type))
    check_every: ((interval))
    public: ((public))
    source: { uri: ((git.url)) }
jobs:
  - name: main
    max_in_flight: ((jobs))
    serial: ((serial))
    plan:
      - get: repo
        trigger: ((trig))
        version: ((version))
        attempts: ((n))
        timeout: ((t))
      - in_parallel: { steps: [{ put: repo, inputs: ((inputs)), no_get: ((.:skip)) }], limit: ((limit)) }
      - task: t
        privileged: ((privileged))
        file: repo/((task-file))
        container_limits: { cpu: ((cpu)) }
      - load_var: x
        file: repo/x
        format: ((format))
        reveal: ((source:reveal.it))
`;

  it("accepts a var wherever a scalar is expected, and keeps its text", () => {
    const { pipeline } = validPipeline(withVars);
    const [get, inParallel] = pipeline.jobs?.[0]?.plan ?? [];
    assert.deepEqual(get, {
      get: "repo",
      trigger: "((trig))",
      version: "((version))",
      attempts: "((n))",
      timeout: "((t))",
    });
    assert.deepEqual(inParallel, {
      in_parallel: {
        steps: [{ put: "repo", inputs: "((inputs))", no_get: "((.:skip))" }],
        limit: "((limit))",
      },
    });
    assert.equal(pipeline.resources?.[0]?.check_every, "((interval))");
  });

  it("does not take (( x )) with spaces for a var, as Concourse does not", () => {
    assert.deepEqual(pipelineErrors(withVars.replace("((trig))", "(( trig ))")), [
      'jobs[0].plan[0].trigger: expected a boolean, or a ((var)), got string "(( trig ))"',
    ]);
  });
});

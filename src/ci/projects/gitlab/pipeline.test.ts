import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadGitlabConfig } from "./load.ts";
import { PipelineError, planPipeline } from "./pipeline.ts";
import type { PipelineEvent } from "./rules.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "gitlab-plan-"));
});
after(() => rm(dir, { recursive: true, force: true }));

async function configOf(text: string) {
  const root = await mkdtemp(path.join(dir, "repo-"));
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, ".gitlab-ci.yml"), text);
  return loadGitlabConfig({ repoDir: root });
}

const push = (over: Partial<PipelineEvent> = {}): PipelineEvent => ({
  source: "push",
  ref: "main",
  tag: false,
  changes: new Set(["README.md"]),
  files: ["README.md", ".gitlab-ci.yml", "app/client/.version"],
  variables: {
    CI_COMMIT_BRANCH: "main",
    CI_COMMIT_REF_NAME: "main",
    CI_PIPELINE_SOURCE: "push",
    CI_COMMIT_MESSAGE: "a change",
  },
  projectVariables: {},
  ...over,
});

const jobNames = (plan: ReturnType<typeof planPipeline>) =>
  plan.run ? plan.jobs.map((j) => j.job.name) : plan.reason;

const seed = `
stages: [test, build, release]
unit: { stage: test, script: [make test] }
build-client:
  stage: build
  script: [go build]
  artifacts: { paths: [app/client/client] }
  only: { changes: [app/client/.version] }
release-client:
  stage: release
  dependencies: [build-client]
  script: [docker build .]
  only: { changes: [app/client/.version] }
`;

describe("GitLab pipelines for an event", () => {
  it("runs only: changes jobs when the push changed the file, and every job for a new branch", async () => {
    const config = await configOf(seed);
    assert.deepEqual(jobNames(planPipeline(config, push())), ["unit"]);
    const changed = planPipeline(config, push({ changes: new Set(["app/client/.version"]) }));
    assert.deepEqual(jobNames(changed), ["unit", "build-client", "release-client"]);
    assert.ok(changed.run);
    const release = changed.jobs.find((j) => j.job.name === "release-client")!;
    assert.deepEqual(release.after, ["unit", "build-client"], "stage order: every earlier job");
    assert.deepEqual(release.artifactsFrom, ["build-client"], "dependencies restrict the artifacts");
    assert.deepEqual(jobNames(planPipeline(config, push({ changes: "all" }))), [
      "unit",
      "build-client",
      "release-client",
    ]);
  });

  it("skips the pipeline on [ci skip] and [skip ci] in a push's message", async () => {
    const config = await configOf(seed);
    for (const message of ["bump to 1.0.1 [ci skip]", "x [SKIP CI]"]) {
      const plan = planPipeline(
        config,
        push({ variables: { ...push().variables, CI_COMMIT_MESSAGE: message } }),
      );
      assert.equal(plan.run, false);
    }
  });

  it("evaluates rules in order: if, changes, exists, when, allow_failure, variables", async () => {
    const config = await configOf(`
deploy:
  script: [deploy]
  rules:
    - if: $CI_COMMIT_BRANCH == "release"
      when: never
    - if: $CI_COMMIT_BRANCH == "main" && $TARGET == "prod"
      when: manual
      variables: { ENVIRONMENT: production }
    - changes: [docs/**/*.md]
      allow_failure: true
lint:
  script: [lint]
  rules:
    - exists: [app/**/.version]
  variables: { TARGET: prod }
`);
    const plan = planPipeline(config, push({ projectVariables: { TARGET: "prod" } }));
    assert.ok(plan.run);
    const deploy = plan.jobs.find((j) => j.job.name === "deploy")!;
    assert.equal(deploy.when, "manual");
    assert.equal(deploy.allowFailure, false, "a manual job from rules blocks unless allowed");
    assert.deepEqual(deploy.ruleVariables, { ENVIRONMENT: "production" });
    assert.deepEqual(jobNames(plan), ["deploy", "lint"]);
    const docs = planPipeline(config, push({ changes: new Set(["docs/a/b.md"]) }));
    assert.ok(docs.run);
    assert.equal(docs.jobs.find((j) => j.job.name === "deploy")!.allowFailure, true);
    const release = planPipeline(
      config,
      push({ ref: "release", variables: { CI_COMMIT_BRANCH: "release" }, files: [] }),
    );
    assert.equal(release.run, false);
  });
});

describe("GitLab pipelines for an event: refs, needs and workflow", () => {
  it("matches only/except refs, keywords and regular expressions", async () => {
    const config = await configOf(`
tagged: { script: x, only: [tags] }
mainline: { script: x, only: [main, /^release-.*$/] }
not-main: { script: x, except: [main] }
pushed: { script: x, only: { refs: [pushes], variables: [$DEPLOY == "1"] } }
`);
    assert.deepEqual(jobNames(planPipeline(config, push({ projectVariables: { DEPLOY: "1" } }))), [
      "mainline",
      "pushed",
    ]);
    assert.deepEqual(jobNames(planPipeline(config, push({ ref: "release-2" }))), ["mainline", "not-main"]);
    assert.deepEqual(jobNames(planPipeline(config, push({ ref: "v1.0.0", tag: true }))), [
      "tagged",
      "not-main",
    ]);
  });

  it("follows needs for order and artifacts, and refuses a needed job the rules left out", async () => {
    const config = await configOf(`
stages: [build, test]
a: { stage: build, script: x }
b: { stage: build, script: x, artifacts: { paths: [out] } }
c: { stage: test, script: x, needs: [a, { job: b, artifacts: false }] }
d: { stage: test, script: x, needs: [] }
e: { stage: test, script: x, needs: [{ job: f, optional: true }] }
f: { stage: build, script: x, only: [tags] }
g: { stage: test, script: x, needs: [f] }
`);
    assert.throws(
      () => planPipeline(config, push()),
      (e: unknown) => e instanceof PipelineError && /g: needs f/.test(e.message),
    );
    const tagged = planPipeline(config, push({ tag: true, ref: "v1" }));
    assert.ok(tagged.run);
    const byName = new Map(tagged.jobs.map((j) => [j.job.name, j]));
    assert.deepEqual(byName.get("c")!.after, ["a", "b"]);
    assert.deepEqual(byName.get("c")!.artifactsFrom, ["a"]);
    assert.deepEqual(byName.get("d")!.after, []);
    assert.deepEqual(byName.get("e")!.after, ["f"]);
  });

  it("lets workflow rules decide whether there is a pipeline", async () => {
    const config = await configOf(`
workflow:
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      variables: { DEPLOY_TO: prod }
j: { script: x }
`);
    const main = push({ variables: { ...push().variables, CI_DEFAULT_BRANCH: "main" } });
    const plan = planPipeline(config, main);
    assert.ok(plan.run);
    assert.deepEqual(plan.workflowVariables, { DEPLOY_TO: "prod" });
    assert.equal(
      planPipeline(config, { ...main, variables: { ...main.variables, CI_COMMIT_BRANCH: "x" } }).run,
      false,
    );
  });
});

describe("GitLab parallel jobs", () => {
  it("expands parallel: N and parallel: matrix, and needs/dependencies name every copy", async () => {
    const config = await configOf(`
stages: [build, test, deploy]
build:
  stage: build
  script: x
  parallel:
    matrix:
      - { PROVIDER: aws, STACK: [app1, app2] }
      - { PROVIDER: gcp, STACK: data }
shard: { stage: test, script: x, parallel: 2, needs: [build] }
deploy: { stage: deploy, script: x, dependencies: [build] }
`);
    const plan = planPipeline(config, push());
    assert.ok(plan.run);
    const byName = new Map(plan.jobs.map((j) => [j.job.name, j]));
    assert.deepEqual(
      [...byName.keys()],
      ["build: [aws, app1]", "build: [aws, app2]", "build: [gcp, data]", "shard 1/2", "shard 2/2", "deploy"],
    );
    const builds = ["build: [aws, app1]", "build: [aws, app2]", "build: [gcp, data]"];
    assert.deepEqual(byName.get("shard 2/2")!.after, builds);
    assert.deepEqual(byName.get("deploy")!.artifactsFrom, builds);
    const gcp = byName.get("build: [gcp, data]")!.job.variables;
    assert.deepEqual(
      [gcp["PROVIDER"]?.value, gcp["STACK"]?.value, gcp["CI_NODE_INDEX"]?.value, gcp["CI_NODE_TOTAL"]?.value],
      ["gcp", "data", "3", "3"],
    );
    assert.equal(byName.get("shard 1/2")!.job.variables["CI_NODE_TOTAL"]?.value, "2");
  });
});

import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { CiFileError } from "../ci-file.ts";
import { loadGitlabConfig } from "./load.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "gitlab-load-"));
});
after(() => rm(dir, { recursive: true, force: true }));

async function repo(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(dir, "repo-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return root;
}

async function loadError(files: Record<string, string>): Promise<CiFileError> {
  const error = await loadGitlabConfig({ repoDir: await repo(files) }).then(
    () => assert.fail("expected the file to be refused"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof CiFileError, String(error));
  return error;
}

describe("loading .gitlab-ci.yml", () => {
  it("merges local includes (with $CI_PROJECT_DIR) under the including file", async () => {
    const root = await repo({
      ".gitlab-ci.yml": [
        "stages: [test, build, release]",
        "include:",
        "  - local: '$CI_PROJECT_DIR/app/client/.gitlab-ci.yml'",
        "  - app/server.yml",
        "  - local: ci/jobs/*.yml",
        "build-client:",
        "  variables: { FROM_MAIN: 'yes' }",
      ].join("\n"),
      "app/client/.gitlab-ci.yml": [
        "build-client:",
        "  stage: build",
        "  image: golang:1.22.4-alpine3.20",
        "  script: [go build -o client]",
        "  variables: { FROM_INCLUDE: 'yes' }",
      ].join("\n"),
      "app/server.yml": "server:\n  stage: release\n  script: echo server\n",
      "ci/jobs/a.yml": "from-a:\n  script: a\n",
      "ci/jobs/b.yml": "from-b:\n  script: b\n",
    });
    const config = await loadGitlabConfig({ repoDir: root });
    assert.deepEqual(config.files, [
      ".gitlab-ci.yml",
      "app/client/.gitlab-ci.yml",
      "app/server.yml",
      "ci/jobs/a.yml",
      "ci/jobs/b.yml",
    ]);
    assert.deepEqual(config.stages, [".pre", "test", "build", "release", ".post"]);
    const client = config.jobs.find((j) => j.name === "build-client")!;
    assert.equal(client.stage, "build");
    assert.deepEqual(Object.keys(client.variables).sort(), ["FROM_INCLUDE", "FROM_MAIN"]);
    assert.deepEqual(client.script, ["go build -o client"]);
    assert.deepEqual(config.jobs.find((j) => j.name === "server")?.script, ["echo server"]);
  });
});

describe("loading .gitlab-ci.yml: templates", () => {
  it("applies extends, default, !reference and the legacy top-level defaults", async () => {
    const config = await loadGitlabConfig({
      repoDir: await repo({
        ".gitlab-ci.yml": [
          "image: busybox",
          "default:",
          "  before_script: [echo default]",
          "  retry: 1",
          ".setup:",
          "  script: [echo setup]",
          "  variables: { A: '1' }",
          ".base:",
          "  stage: build",
          "  variables: { B: '2' }",
          "job:",
          "  extends: .base",
          "  inherit: { default: [image] }",
          "  script:",
          "    - !reference [.setup, script]",
          "    - echo job",
          "other:",
          "  image: { name: alpine/git:v2.45.1, entrypoint: [''] }",
          "  script: echo other",
          "  timeout: 1h 30m",
        ].join("\n"),
      }),
    });
    const job = config.jobs.find((j) => j.name === "job")!;
    assert.equal(job.stage, "build");
    assert.deepEqual(job.script, ["echo setup", "echo job"]);
    assert.deepEqual(job.beforeScript, [], "inherit: default lists only image");
    assert.equal(job.image?.name, "busybox");
    assert.deepEqual(Object.keys(job.variables), ["B"]);
    const other = config.jobs.find((j) => j.name === "other")!;
    assert.deepEqual(other.beforeScript, ["echo default"]);
    assert.equal(other.retry.max, 1);
    assert.deepEqual(other.image, { name: "alpine/git:v2.45.1", entrypoint: [""] });
    assert.equal(other.timeoutMs, 90 * 60_000);
    assert.equal(other.stage, "test", "the default stage");
    assert.equal(
      config.jobs.some((j) => j.name.startsWith(".")),
      false,
      "hidden jobs are templates",
    );
  });
});

describe("loading .gitlab-ci.yml: bad input", () => {
  it("names file, line and key of an unknown keyword, even in an included file", async () => {
    const error = await loadError({
      ".gitlab-ci.yml": "include: [ci/jobs.yml]\n",
      "ci/jobs.yml": "build:\n  script: make\n  artifacts:\n    pahts: [out]\n",
    });
    assert.equal(error.message, 'ci/jobs.yml:4: build.artifacts.pahts: unknown keyword "pahts"');
  });

  it("refuses includes that escape the repository, remote includes and include loops", async () => {
    const outside = await loadError({ ".gitlab-ci.yml": "include: [{ local: ../../etc/passwd }]\n" });
    assert.match(outside.message, /^\.gitlab-ci\.yml:1: include\[0\]: .*leads outside the repository/);
    const root = await repo({ ".gitlab-ci.yml": "include: [{ local: link.yml }]\n" });
    await symlink("/etc/hostname", path.join(root, "link.yml"));
    await assert.rejects(loadGitlabConfig({ repoDir: root }), /leads outside the repository/);
    const remote = await loadError({
      ".gitlab-ci.yml": "include: https://example.com/ci.yml\nj: { script: x }\n",
    });
    assert.match(remote.message, /remote includes cannot be read here/);
    const loop = await loadError({
      ".gitlab-ci.yml": "include: a.yml\n",
      "a.yml": "include: b.yml\n",
      "b.yml": "include: a.yml\n",
    });
    assert.match(loop.message, /a\.yml is already included/);
    const none = await loadError({ ".gitlab-ci.yml": "include: ci/*.yml\nj: { script: x }\n" });
    assert.match(none.message, /ci\/\*\.yml: no file in the repository matches/);
  });

  it("refuses needs cycles, unknown needs, later-stage dependencies and unknown stages", async () => {
    const cycle = await loadError({
      ".gitlab-ci.yml": "a:\n  script: x\n  needs: [b]\nb:\n  script: x\n  needs: [a]\n",
    });
    assert.match(cycle.message, /needs form a cycle: a → b → a/);
    const unknown = await loadError({ ".gitlab-ci.yml": "a:\n  script: x\n  needs: [nope]\n" });
    assert.equal(unknown.message, '.gitlab-ci.yml:3: a.needs[0]: needs an unknown job "nope"');
    const later = await loadError({
      ".gitlab-ci.yml":
        "a:\n  stage: build\n  script: x\n  dependencies: [b]\nb:\n  stage: test\n  script: x\n",
    });
    assert.match(later.message, /a\.dependencies\[0\]: b is not a job of an earlier stage/);
    const stage = await loadError({ ".gitlab-ci.yml": "a:\n  stage: nope\n  script: x\n" });
    assert.match(stage.message, /a\.stage: unknown stage "nope"/);
  });

  it("refuses bad YAML, extends loops, malformed rules and missing scripts with their lines", async () => {
    const yaml = await loadError({ ".gitlab-ci.yml": "a:\n  script: [x\n" });
    assert.match(yaml.message, /^\.gitlab-ci\.yml:\d+: /);
    const loop = await loadError({
      ".gitlab-ci.yml": ".a: { extends: .b }\n.b: { extends: .a }\nj: { extends: .a, script: x }\n",
    });
    assert.match(loop.message, /circular extends/);
    const rule = await loadError({ ".gitlab-ci.yml": "j:\n  script: x\n  rules:\n    - if: $A ==\n" });
    assert.match(rule.message, /^\.gitlab-ci\.yml:4: j\.rules\[0\]\.if: /);
    const script = await loadError({ ".gitlab-ci.yml": "j:\n  stage: test\n" });
    assert.equal(script.message, ".gitlab-ci.yml:1: j: a job needs a script");
    const trigger = await loadError({ ".gitlab-ci.yml": "j:\n  trigger: other/project\n  script: x\n" });
    assert.match(trigger.message, /j\.trigger: trigger is not supported/);
  });
});

/** `sluice ci validate-pipeline`, run through bin/sluice on pipelines in temporary files; no cluster. */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test, type TestContext } from "node:test";
import YAML from "yaml";
import { expectExit, run, show, tempDir } from "./helpers/cli.ts";
import { repoRoot } from "./helpers/env.ts";

const demoPipeline = readFile(path.join(repoRoot, "src/ci/pipeline/testdata/demo.yaml"), "utf8");

const demoVars = `
git:
  url: https://git.example.com
  username: bot
  password: s3cret
  git-user: Bot <bot@example.com>
  commit-message: bump to %version% [ci skip]
registry: { name: registry.example.com, username: robot, password: hunter2 }
`;

/** Writes `files` into a temporary directory; returns a function giving each file's path. */
async function files(t: TestContext, contents: Record<string, string>): Promise<(name: string) => string> {
  const dir = await tempDir(t, "sluice-ci-validate-");
  for (const [name, text] of Object.entries(contents)) await writeFile(path.join(dir, name), text);
  return (name) => path.join(dir, name);
}

const validate = (...args: string[]) => run(["ci", "validate-pipeline", ...args]);

/** A pipeline with one job whose `build_logs_to_retain` Concourse accepts with a deprecation warning. */
const warnedPipeline = `
jobs:
  - name: hello
    build_logs_to_retain: 3
    plan:
      - task: say-hello
        config: { platform: linux, image_resource: { type: registry-image, source: { repository: busybox } }, run: { path: echo } }
`;

test("the demo pipeline with its vars from -l (and -v, -t before and after the verb) looks good", async (t) => {
  const file = await files(t, { "demo.yaml": await demoPipeline, "vars.yml": demoVars });
  const plain = await validate("-c", file("demo.yaml"));
  expectExit(plain, 0);
  assert.equal(plain.stdout, "looks good\n");

  const withVars = await run([
    "ci",
    "-t",
    "kuberocks",
    "validate-pipeline",
    "-c",
    file("demo.yaml"),
    "-l",
    file("vars.yml"),
    "-v",
    "greeting=hi",
    "--target",
    "other",
  ]);
  expectExit(withVars, 0);
  assert.equal(withVars.stdout, "looks good\n");
  assert.equal(withVars.stderr, "");
});

test("an unknown step field fails with its path", async (t) => {
  const typo = (await demoPipeline).replace("privileged: true", "priviledged: true");
  const file = await files(t, { "typo.yaml": typo });
  const r = await validate("-c", file("typo.yaml"));
  expectExit(r, 1, /jobs\[0\]\.plan\[2\]\.task: unknown field "priviledged"/);
  expectExit(r, 1, /configuration invalid/);
  assert.equal(r.stdout, "");
});

test("warnings are printed and pass, and fail with --strict", async (t) => {
  const file = await files(t, { "warned.yaml": warnedPipeline });
  const lenient = await validate("-c", file("warned.yaml"));
  expectExit(lenient, 0, /^WARNING: jobs\[0\]\.build_logs_to_retain: deprecated/m);
  assert.equal(lenient.stdout, "looks good\n");

  const strict = await validate("-c", file("warned.yaml"), "--strict");
  expectExit(strict, 1, /^WARNING: jobs\[0\]\.build_logs_to_retain: deprecated/m);
  expectExit(strict, 1, /configuration invalid: 1 warning with --strict/);
  assert.equal(strict.stdout, "");
});

test("unknown top-level keys are dropped, and refused with --strict as fly refuses them", async (t) => {
  const file = await files(t, { "anchors.yaml": `anchors:\n  image: &image busybox\n${warnedPipeline}` });
  expectExit(await validate("-c", file("anchors.yaml")), 0);
  expectExit(await validate("-c", file("anchors.yaml"), "-s"), 1, /unknown top-level field "anchors"/);
});

test("-o prints the pipeline after the flags' vars, leaving the others as ((vars))", async (t) => {
  const file = await files(t, { "demo.yaml": await demoPipeline });
  const r = await validate(
    "-c",
    file("demo.yaml"),
    "-o",
    "-y",
    "registry.name=r.example.com",
    "-v",
    "registry.username=robot",
    "-v",
    "registry.password=yes",
  );
  expectExit(r, 0);
  // read as YAML 1.1 (fly's reading): a string such as `yes` must come back as a string
  const printed = YAML.parse(r.stdout, { version: "1.1" }) as {
    resources: { name: string; source: Record<string, string> }[];
    jobs: { plan: { privileged?: boolean }[] }[];
  };
  const byName = new Map(printed.resources.map((res) => [res.name, res.source]));
  assert.equal(byName.get("docker-image")?.["repository"], "r.example.com/kuberocks/demo", show(r));
  assert.equal(byName.get("docker-image")?.["password"], "yes", show(r));
  assert.equal(byName.get("source-code")?.["uri"], "((git.url))/kuberocks/demo", show(r));
  assert.equal(printed.jobs[0]?.plan[2]?.privileged, true);
});

test("a var a flag gives with the wrong type inside a string fails with its path", async (t) => {
  const pipeline = "resources:\n  - { name: code, type: git, source: { uri: ((git.url))/demo } }\n";
  const file = await files(t, { "code.yaml": pipeline });
  const r = await validate("-c", file("code.yaml"), "-y", "git={url: [a, b]}");
  expectExit(r, 1, /\(\(git\.url\)\) at resources\[0\]\.source\.uri/);
});

test("a missing file or malformed YAML is one line and exit 1; a missing -c is a usage error", async (t) => {
  const file = await files(t, { "broken.yaml": "jobs: [\n  - name: a\n" });
  const missing = await validate("-c", file("nope.yaml"));
  expectExit(missing, 1);
  assert.equal(missing.stderr, `error: could not read pipeline config ${file("nope.yaml")}: no such file\n`);

  const broken = await validate("-c", file("broken.yaml"));
  expectExit(broken, 1, /^error: .*broken\.yaml is not valid YAML: .*line \d+, column \d+\n$/);
  assert.equal(broken.stderr.split("\n").length, 2, show(broken));

  expectExit(await validate(), 2, /required option '-c, --config <file>'/);
  expectExit(await validate("-c", file("broken.yaml"), "--no-such-flag"), 2);
});

test("sluice ci --help lists validate-pipeline and -t", async () => {
  const r = await run(["ci", "--help"]);
  expectExit(r, 0);
  assert.match(r.stdout, /validate-pipeline/);
  assert.match(r.stdout, /-t, --target/);
});

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test, type TestContext } from "node:test";
import { createImageBuilder, type ImageBuilder } from "../src/ci/builder/index.ts";
import { BuildRunner } from "../src/ci/engine/builds/runner.ts";
import { CiEngine } from "../src/ci/engine/engine.ts";
import { builtinResources } from "../src/ci/resources/builtin.ts";
import { containerResourceTypes } from "../src/ci/resources/custom/container-resource.ts";
import { TaskCaches } from "../src/ci/sandbox/volumes/task-caches.ts";
import { Sandbox } from "../src/ci/sandbox/container/sandbox.ts";
import { ImageRootfsCache } from "../src/ci/sandbox/rootfs/image-cache.ts";
import { taskStepRunner } from "../src/ci/steps/task.ts";
import { pipelineInput } from "../src/ci/store/sql/store.test-support.ts";
import { SqlCiStore } from "../src/ci/store/sql/sql-store.ts";
import { staticVarSource } from "../src/ci/vars/static-vars.ts";
import { RegistryMirrors } from "../src/oci/mirrors.ts";
import { silentLogger } from "../src/runtime/logger.ts";
import type { DevEnv } from "../src/dev/env-file.ts";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { logText } from "./helpers/build-log.ts";

let env: DevEnv & { imageMirror: string };
let work: string;
let builder: ImageBuilder;
let images: ImageRootfsCache;
let counterImage: { repository: string; tag: string };

const password = `hunter2-${randomBytes(4).toString("hex")}`;

// A resource in busybox's sh: versions {n} up to source.limit; `in` keeps its request and
// environment beside the number; `out` answers the number in the file params.file names.
const scripts = {
  check: `#!/bin/sh
set -e
request=$(cat)
case "$request" in *'"fail":"yes"'*) echo "the counter refuses $request" >&2; exit 1;; esac
case "$request" in *'"garble":"yes"'*) echo "not json"; exit 0;; esac
limit=$(echo "$request" | sed -n 's/.*"limit":"\\([0-9]*\\)".*/\\1/p')
from=$(echo "$request" | sed -n 's/.*"version":{"n":"\\([0-9]*\\)"}.*/\\1/p')
[ -n "$from" ] || from=$limit
out=""
n=$from
while [ "$n" -le "$limit" ]; do out="$out\${out:+,}{\\"n\\":\\"$n\\"}"; n=$((n+1)); done
echo "[$out]"
`,
  in: `#!/bin/sh
set -e
cat > "$1/request.json"
n=$(sed -n 's/.*"version":{"n":"\\([0-9]*\\)"}.*/\\1/p' "$1/request.json")
echo "$n" > "$1/number"
env | grep -E '^(BUILD_|ATC_)' | sort > "$1/build-env"
echo "fetching $n into $(pwd)" >&2
echo "{\\"version\\":{\\"n\\":\\"$n\\"},\\"metadata\\":[{\\"name\\":\\"fetched_by\\",\\"value\\":\\"counter\\"}]}"
`,
  out: `#!/bin/sh
set -e
request=$(cat)
file=$(echo "$request" | sed -n 's/.*"file":"\\([^"]*\\)".*/\\1/p')
n=$(cat "$file")
echo "pushing $n from $file in $(pwd)" >&2
echo "{\\"version\\":{\\"n\\":\\"$n\\"}}"
`,
};

before(async () => {
  env = (await testEnvWithImages()).env;
  work = await mkdtemp(path.join(os.tmpdir(), "sluice-resource-types-"));
  const mirrors = RegistryMirrors.parse([`docker.io=${env.imageMirror}/docker.io`]);
  builder = createImageBuilder({ stateDir: path.join(work, "builder"), mirrors });
  images = new ImageRootfsCache({ dir: path.join(work, "images"), builder, mirrors });
  const context = path.join(work, "counter-resource");
  await mkdir(context);
  for (const [name, text] of Object.entries(scripts)) {
    await writeFile(path.join(context, name), text);
    await chmod(path.join(context, name), 0o755);
  }
  await writeFile(path.join(context, "Dockerfile"), "FROM busybox:1.36\nCOPY check in out /opt/resource/\n");
  counterImage = { repository: `${env.registry}/test/counter-resource`, tag: randomBytes(4).toString("hex") };
  await builder.build({
    contextDir: context,
    outputs: [{ kind: "push", refs: [`${counterImage.repository}:${counterImage.tag}`] }],
  });
});
after(async () => {
  await builder.close();
  await rm(work, { recursive: true, force: true });
});

async function fixture(t: TestContext) {
  const dataDir = await mkdtemp(path.join(work, "data-"));
  const store = await SqlCiStore.openSqlite({ dataDir });
  t.after(() => store.close());
  const team = `types-${randomBytes(3).toString("hex")}`;
  const workDir = path.join(dataDir, "worker");
  const sandbox = await Sandbox.open({ workDir });
  const customTypes = containerResourceTypes({ images, sandbox, externalUrl: () => "https://ci.example" });
  const resources = builtinResources();
  const vars = () => staticVarSource({ "counter-password": password }, "test vars");
  const runner = new BuildRunner({
    store,
    dataDir,
    resources,
    customTypes,
    vars,
    task: taskStepRunner({
      images,
      builder,
      sandbox,
      caches: new TaskCaches({ dir: path.join(workDir, "caches") }),
    }),
    flushMs: 50,
  });
  const engine = new CiEngine({
    store,
    launcher: runner,
    vars,
    logger: silentLogger(),
    resources,
    customTypes,
  });
  const setPipeline = async (name: string, yaml: string) => {
    const saved = await store.setPipeline(pipelineInput(name, yaml, { team }));
    assert.ok(saved.ok, JSON.stringify(saved));
    return saved.pipeline;
  };
  const runJob = async (pipelineId: number, jobName: string) => {
    const job = await store.getJob(pipelineId, jobName);
    const build = await store.createJobBuild({ jobId: job!.id });
    await store.startBuild(build.id, Date.now());
    const status = await runner.run(build);
    return { status, log: logText(await store.readBuildEvents(build.id)) };
  };
  return { store, engine, setPipeline, runJob, workDir };
}

const counterType = (extra = "") =>
  `{ name: counter, type: registry-image, source: { repository: "${counterImage.repository}", tag: "${counterImage.tag}" }${extra} }`;

test("a declared resource type checks, gets and puts through its image's scripts, with defaults and BUILD_* variables", async (t) => {
  const f = await fixture(t);
  const pipeline = await f.setPipeline(
    "counting",
    `
resource_types:
  - ${counterType(", defaults: { colour: blue, limit: '1' }")}
resources:
  - { name: numbers, type: counter, source: { limit: "3" } }
jobs:
  - name: use
    plan:
      - get: numbers
      - task: show
        config:
          platform: linux
          image_resource: { type: registry-image, source: { repository: busybox, tag: "1.36" } }
          inputs: [{ name: numbers }]
          outputs: [{ name: next }]
          run:
            path: sh
            args: [-ec, 'cat numbers/request.json; echo; cat numbers/build-env; echo 42 > next/n']
      - put: numbers
        params: { file: next/n }
`,
  );
  const outcome = await f.engine.checkResource(pipeline.id, "numbers");
  assert.equal(outcome.error, undefined);
  const resource = await f.store.getResource(pipeline.id, "numbers");
  const listed = async () =>
    (await f.store.listVersions(resource!.id, { limit: 10 })).map((v) => v.version["n"]).sort();
  assert.deepEqual(await listed(), ["3"], "a first check answers the latest version only");

  const { status, log } = await f.runJob(pipeline.id, "use");
  assert.equal(status, "succeeded", log);
  assert.match(log, /fetching 3 into \/tmp\/build\/get/, "in's standard error is in the build's log");
  assert.match(log, /"source":\{"colour":"blue","limit":"3"\}/, "defaults are merged under the source");
  assert.match(log, /"params":\{\}/);
  assert.match(log, /^BUILD_JOB_NAME=use$/m);
  assert.match(log, /^BUILD_PIPELINE_NAME=counting$/m);
  assert.match(log, /^ATC_EXTERNAL_URL=https:\/\/ci\.example$/m);
  assert.match(
    log,
    /pushing 42 from next\/n in \/tmp\/build\/put/,
    "out reads the artifacts under /tmp/build/put",
  );
  assert.match(log, /fetched_by: counter/);
  assert.deepEqual(await listed(), ["3", "42"], "the put's version is one of the resource's versions");

  const second = await f.setPipeline(
    "counting-too",
    `
resource_types: [${counterType(", defaults: { colour: blue, limit: '1' }")}]
resources: [{ name: numbers, type: counter, source: { limit: "3" } }]
jobs: [{ name: use, plan: [{ get: numbers, trigger: true }] }]
`,
  );
  assert.equal((await f.engine.checkResource(second.id, "numbers")).error, undefined);
  assert.equal(
    (await f.store.getResource(second.id, "numbers"))?.resourceConfigId,
    resource?.resourceConfigId,
    "one type and source checked for two pipelines share their versions",
  );
});

test("a declared type that fails says why on the resource, secrets redacted; other resources carry on", async (t) => {
  const f = await fixture(t);
  const pipeline = await f.setPipeline(
    "failing",
    `
resource_types:
  - ${counterType()}
  - { name: plain, type: registry-image, source: { repository: busybox, tag: "1.36" } }
  - { name: missing, type: registry-image, source: { repository: "${env.registry}/test/no-such-type", tag: "1" } }
resources:
  - { name: refused, type: counter, source: { fail: "yes", password: ((counter-password)) } }
  - { name: garbled, type: counter, source: { garble: "yes" } }
  - { name: not-a-type, type: plain }
  - { name: nowhere, type: missing }
  - { name: fine, type: counter, source: { limit: "2" } }
jobs:
  - name: all
    plan:
      - in_parallel: [{ get: refused }, { get: garbled }, { get: not-a-type }, { get: nowhere }, { get: fine }]
`,
  );
  const names = ["refused", "garbled", "not-a-type", "nowhere", "fine"] as const;
  const outcomes = await Promise.all(names.map((name) => f.engine.checkResource(pipeline.id, name)));
  const errors = Object.fromEntries(names.map((name, i) => [name, outcomes[i]!.error ?? ""])) as Record<
    (typeof names)[number],
    string
  >;
  assert.match(
    errors.refused,
    /resource type counter: \/opt\/resource\/check exited with status 1: the counter refuses/,
  );
  assert.ok(!errors.refused.includes(password), errors.refused);
  assert.match(errors.refused, /\(\(redacted\)\)/);
  assert.match(errors.garbled, /\/opt\/resource\/check did not answer JSON on standard output: "not json"/);
  assert.match(
    errors["not-a-type"],
    /resource type plain: \/opt\/resource\/check is not in the image, so it is not a resource type image/,
  );
  assert.match(errors.nowhere, /resource type missing: .*test\/no-such-type/);
  assert.equal(errors.fine, "");
  const stored = await f.store.getResource(pipeline.id, "refused");
  assert.ok(stored?.checkError?.includes("((redacted))"), "the stored check error is redacted too");
  const fine = await f.store.getResource(pipeline.id, "fine");
  assert.equal((await f.store.listVersions(fine!.id, { limit: 5 })).length, 1);

  const build = await f.runJob(pipeline.id, "all");
  assert.equal(build.status, "errored", build.log);
  assert.match(build.log, /get refused: resource refused has no version yet/);
  assert.ok(!build.log.includes(password));
});

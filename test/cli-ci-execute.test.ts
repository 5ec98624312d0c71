import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { show, sluice, tempDir } from "./helpers/cli.ts";

const taskYaml = `platform: linux
image_resource: { type: registry-image, source: { repository: busybox, tag: "1.36" } }
inputs: [{ name: src }]
outputs: [{ name: out }]
params: { WHO: ((who)) }
run:
  path: sh
  args: [-ec, 'cat src/msg.txt; echo "made by $WHO" > out/result; echo changed > src/msg.txt; exit $CODE']
`;

test("sluice ci execute runs a task here: inputs copied in, outputs copied out, fly's exit codes", async (t) => {
  const { env } = await testEnvWithImages();
  const dir = await tempDir(t, "sluice-execute-");
  await mkdir(path.join(dir, "src"));
  await writeFile(path.join(dir, "src/msg.txt"), "hello from an input\n");
  await writeFile(
    path.join(dir, "task.yml"),
    taskYaml.replace("params: { WHO: ((who)) }", "params: { WHO: ((who)), CODE: ((code)) }"),
  );
  const common = [
    "-c",
    path.join(dir, "task.yml"),
    "-i",
    `src=${path.join(dir, "src")}`,
    "--registry-mirror",
    `docker.io=${env.imageMirror}/docker.io`,
    "--cache-dir",
    path.join(dir, "cache"),
  ];
  const ok = await sluice(
    "ci execute",
    ...common,
    "-o",
    `out=${path.join(dir, "out")}`,
    "-v",
    "who=execute",
    "-v",
    "code=0",
  );
  assert.equal(ok.code, 0, show(ok));
  assert.match(ok.stdout, /hello from an input/);
  assert.equal(await readFile(path.join(dir, "out/result"), "utf8"), "made by execute\n");
  assert.equal(
    await readFile(path.join(dir, "src/msg.txt"), "utf8"),
    "hello from an input\n",
    "the input was a copy",
  );

  const failed = await sluice("ci execute", ...common, "-v", "who=x", "-v", "code=7");
  assert.equal(failed.code, 1, show(failed));
  assert.match(failed.stderr, /exit status 7\nfailed/);

  const undefinedVar = await sluice("ci execute", ...common, "-v", "code=0");
  assert.equal(undefinedVar.code, 2, show(undefinedVar));
  assert.match(undefinedVar.stderr, /\(\(who\)\)/);

  const unknownInput = await sluice("ci execute", "-c", path.join(dir, "task.yml"), "-i", `nope=${dir}`);
  assert.equal(unknownInput.code, 2, show(unknownInput));
  assert.match(unknownInput.stderr, /unknown input nope: the task's inputs are src/);
});

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { ciHome, show, sluice, tempDir } from "./helpers/cli.ts";
import { adminClient } from "./helpers/kube.ts";
import { startCiServer } from "./helpers/server.ts";

const pipeline = `resources:
  - { name: tick, type: time, source: { interval: 1h } }
jobs:
  - name: build
    plan:
      - get: tick
`;

const task = (name: string) => `platform: linux
image_resource: { type: registry-image, source: { repository: busybox, tag: "1.36" } }
inputs: [{ name: src }, { name: tick, optional: true }]
outputs: [{ name: out }]
params: { WHO: ((who)), SECRET: ((${name})) }
run:
  path: sh
  args:
    - -ec
    - |
      cat src/msg.txt
      echo "made by $WHO with a secret of \${#SECRET} characters" > out/result
      if [ -e tick/timestamp ]; then echo "the job's tick is here"; fi
`;

test("execute -t runs the task on the server: uploaded inputs, team vars from Secrets, -j inputs from a job, outputs downloaded", async (t) => {
  const { env } = await testEnvWithImages();
  const client = await adminClient(t);
  const { url, password, server } = await startCiServer(t, client, env);
  const home = await ciHome(t);
  const dir = await tempDir(t, "sluice-execute-server-");
  await mkdir(path.join(dir, "src"));
  await writeFile(path.join(dir, "src/msg.txt"), "hello from an upload\n");
  const secretName = `exec-${randomBytes(3).toString("hex")}`;
  await client.apply(
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "concourse-main" } },
    { fieldManager: "test" },
  );
  await client.apply(
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secretName, namespace: "concourse-main" },
      stringData: { value: "s3cr3t" },
    },
    { fieldManager: "test" },
  );
  t.after(() => client.delete("v1", "Secret", secretName, "concourse-main").catch(() => undefined));
  await writeFile(path.join(dir, "task.yml"), task(secretName));
  assert.equal((await sluice("ci -t dev login -u admin -c", url, "-p", password)).code, 0);
  const common = ["-c", path.join(dir, "task.yml"), "-i", `src=${path.join(dir, "src")}`, "-v", "who=fly"];

  const ran = await sluice("ci -t dev execute", ...common, "-o", `out=${path.join(dir, "out")}`);
  assert.equal(ran.code, 0, show(ran));
  assert.match(ran.stderr, /uploading src\nexecuting build \d+ at http/);
  assert.match(ran.stdout, /hello from an upload\nsucceeded\n$/);
  assert.doesNotMatch(ran.stdout, /tick is here/);
  assert.equal(
    await readFile(path.join(dir, "out/result"), "utf8"),
    "made by fly with a secret of 6 characters\n",
  );
  const oneOff = JSON.parse((await sluice("ci -t dev builds --json -c 1")).stdout) as {
    status: string;
    job_name?: string;
  }[];
  assert.deepEqual([oneOff[0]?.status, oneOff[0]?.job_name], ["succeeded", undefined]);

  const noJob = await sluice("ci -t dev execute", ...common, "-j", "nope/build");
  assert.equal(noJob.code, 1, show(noJob));
  assert.match(noJob.stderr, /-j nope\/build: no such job in team main/);
  await writeFile(path.join(home, "pipeline.yml"), pipeline);
  assert.equal(
    (await sluice("ci -t dev set-pipeline -n -p app -c", path.join(home, "pipeline.yml"))).code,
    0,
  );
  assert.equal((await sluice("ci -t dev unpause-pipeline -p app")).code, 0);
  assert.equal((await sluice("ci -t dev trigger-job -w -j app/build")).code, 0);
  const fromJob = await sluice("ci -t dev execute", ...common, "-j", "app/build");
  assert.equal(fromJob.code, 0, show(fromJob));
  assert.match(fromJob.stdout, /the job's tick is here\nsucceeded\n$/);

  const missing = await sluice(
    "ci -t dev execute -c",
    path.join(dir, "task.yml"),
    "-v",
    "who=x",
    "-i",
    `tick=${dir}`,
  );
  assert.equal(missing.code, 1, show(missing));
  assert.match(missing.stderr, /missing input src: not uploaded/);
  const local = await sluice("ci execute", ...common, "-j", "app/build");
  assert.equal(local.code, 2, show(local));
  assert.match(local.stderr, /-j takes inputs from a server's job: name the server with -t TARGET/);
  const badImage = await sluice("ci -t dev execute", ...common, "--image", "nope");
  assert.equal(badImage.code, 2, show(badImage));
  assert.match(badImage.stderr, /--image nope: not an input given with -i/);
  assert.ok(server.ci, "the server ran the builds");
});

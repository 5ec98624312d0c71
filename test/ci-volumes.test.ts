import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { CiClient, type ApiVolume } from "../src/ci/api/client.ts";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { ciHome, show, sluice } from "./helpers/cli.ts";
import { adminClient } from "./helpers/kube.ts";
import { startCiServer } from "./helpers/server.ts";

const pipeline = `
jobs:
  - name: compile
    plan:
      - task: build
        config:
          platform: linux
          image_resource: { type: registry-image, source: { repository: busybox, tag: "1.36" } }
          caches: [{ path: deps }]
          outputs: [{ name: out }]
          run: { path: sh, args: [-ec, "head -c 300000 /dev/urandom > deps/blob; echo made > out/file; sleep 3"] }
`;

test("sluice ci volumes says what the worker holds and why; a destroyed pipeline's cache is collected", async (t) => {
  const { env } = await testEnvWithImages();
  const client = await adminClient(t);
  const { server, url, password } = await startCiServer(t, client, env);
  await ciHome(t);
  const api = await CiClient.login(url, "admin", password);
  const name = `vol-${randomBytes(3).toString("hex")}`;
  await api.setConfig("main", name, pipeline, 0);
  await api.unpausePipeline("main", name);
  const build = await api.triggerJob("main", name, "compile");

  let whileRunning: ApiVolume[] = [];
  for (let i = 0; i < 100; i++) {
    whileRunning = await api.listVolumes("main");
    if (whileRunning.some((v) => v.type === "container")) break;
    await sleep(100);
  }
  const types = new Set(whileRunning.map((v) => v.type));
  assert.ok(types.has("container") && types.has("build") && types.has("image"), JSON.stringify(whileRunning));
  const container = whileRunning.find((v) => v.type === "container")!;
  assert.equal(container.step_name, "task build");
  assert.equal(container.held_by, `running for build ${build.id}`);
  for (;;) {
    const status = (await api.getBuild(build.id)).status;
    if (!["pending", "started"].includes(status)) {
      assert.equal(status, "succeeded");
      break;
    }
    await sleep(100);
  }

  assert.equal((await sluice("ci -t dev login -c", url, "-u", "admin", "-p", password)).code, 0);
  const listed = await sluice("ci -t dev volumes -d");
  assert.equal(listed.code, 0, show(listed));
  assert.match(listed.stdout, /^handle +worker +type +identifier +size +last used +held by +path$/m);
  const cacheLine = new RegExp(
    `task-cache +${name}/compile build:deps +29\\d\\.\\d KiB .* kept for job ${name}/compile, used \\d+ min ago`,
  );
  assert.match(listed.stdout, cacheLine, show(listed));
  assert.doesNotMatch(listed.stdout, / container /, "the container is gone with its build");
  const cache = (await api.listVolumes("main")).find(
    (v) => v.type === "task-cache" && v.pipeline_name === name,
  )!;
  assert.ok(cache.size_bytes >= 300_000);

  await api.destroyPipeline("main", name);
  const orphaned = (await api.listVolumes("main")).find((v) => v.id === cache.id);
  assert.equal(orphaned?.held_by, `job ${name}/compile is gone: collected next`);
  const removed = await server.ci!.volumes.collect();
  assert.ok(
    removed.some((v) => v.handle === cache.id),
    JSON.stringify(removed.map((v) => v.path)),
  );
  assert.equal(
    (await api.listVolumes("main")).find((v) => v.id === cache.id),
    undefined,
  );
  await assert.rejects(stat(cache.path), "the cache's directory is gone");

  assert.deepEqual(
    await api.listVolumes("other"),
    [],
    "another team sees neither main's volumes nor the shared images",
  );
});

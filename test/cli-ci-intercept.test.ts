import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { CiClient } from "../src/ci/api/client.ts";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { ciHome, run, show, sluice } from "./helpers/cli.ts";
import { adminClient } from "./helpers/kube.ts";
import { startCiServer } from "./helpers/server.ts";

const pipeline = (marker: string) => `
jobs:
  - name: slow
    plan:
      - task: wait
        config:
          platform: linux
          image_resource: { type: registry-image, source: { repository: busybox, tag: "1.36" } }
          params: { SECRET_SAUCE: ${marker} }
          run: { path: sh, args: [-ec, "echo ${marker} > here; sleep 30"] }
`;

test("sluice ci containers and intercept: a command runs inside a running task's container, with its files, environment and exit status", async (t) => {
  const { env } = await testEnvWithImages();
  const client = await adminClient(t);
  const { url, password } = await startCiServer(t, client, env);
  await ciHome(t);
  const api = await CiClient.login(url, "admin", password);
  const name = `icpt-${randomBytes(3).toString("hex")}`;
  const marker = `m${randomBytes(4).toString("hex")}`;
  await api.setConfig("main", name, pipeline(marker), 0);
  await api.unpausePipeline("main", name);
  const build = await api.triggerJob("main", name, "slow");
  assert.equal((await sluice("ci -t dev login -c", url, "-u", "admin", "-p", password)).code, 0);

  const none = await sluice("ci -t dev intercept -j", `${name}/nope`, "true");
  assert.equal(none.code, 1, show(none));
  assert.match(none.stderr, /no containers matched your search parameters/);

  for (let i = 0; i < 100 && (await api.listContainers("main")).length === 0; i++) await sleep(100);
  const containers = await sluice("ci -t dev containers");
  assert.match(
    containers.stdout,
    new RegExp(`[0-9a-f]{16} +\\S+ +${name}/slow +${build.id} +task +wait`),
    show(containers),
  );
  await sleep(500); // the task has written its file

  const inside = await sluice(
    "ci -t dev intercept -j",
    `${name}/slow`,
    "-s",
    "wait",
    "--",
    "sh",
    "-c",
    'cat here; echo "sauce=$SECRET_SAUCE"; echo "pid1=$(cat /proc/1/comm)"; test ! -e /work; exit 7',
  );
  assert.equal(inside.code, 7, show(inside));
  assert.match(inside.stdout, new RegExp(`^${marker}$`, "m"), "the task's working directory");
  assert.match(inside.stdout, new RegExp(`^sauce=${marker}$`, "m"), "the task's environment");
  assert.doesNotMatch(inside.stdout, /pid1=(systemd|init|process_api)/, "the container's PID namespace");

  const piped = await run(["ci", "-t", "dev", "intercept", "-b", String(build.id), "cat"], {
    input: "piped in\n",
  });
  assert.equal(piped.code, 0, show(piped));
  assert.equal(piped.stdout, "piped in\n", "standard input reaches the command");
  // with a terminal, as a person at a shell: the size applies, the status comes back
  const [container] = await api.listContainers("main");
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let screen = "";
  stdout.on("data", (chunk: Buffer) => (screen += chunk.toString()));
  stdin.end("stty size; exit 5\n");
  const status = await api.hijack(
    "main",
    container!.id,
    { argv: ["sh"], tty: { rows: 33, cols: 111 } },
    {
      stdin,
      stdout,
      stderr: stdout,
    },
  );
  assert.equal(status, 5, screen);
  assert.match(screen, /33 111/);
  await api.abortBuild(build.id);
});

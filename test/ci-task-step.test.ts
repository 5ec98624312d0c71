import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, test, type TestContext } from "node:test";
import { createImageBuilder, type ImageBuilder } from "../src/ci/builder/index.ts";
import { BuildRunner } from "../src/ci/engine/builds/runner.ts";
import { kubernetesPipelineVars } from "../src/ci/engine/pipeline-vars.ts";
import { builtinResources } from "../src/ci/resources/builtin.ts";
import { detectCgroups, weightOfShares } from "../src/ci/sandbox/container/cgroups.ts";
import { TaskCaches } from "../src/ci/sandbox/volumes/task-caches.ts";
import { Sandbox, type SandboxOptions } from "../src/ci/sandbox/container/sandbox.ts";
import { ImageRootfsCache } from "../src/ci/sandbox/rootfs/image-cache.ts";
import { taskStepRunner } from "../src/ci/steps/task.ts";
import { pipelineInput } from "../src/ci/store/sql/store.test-support.ts";
import { SqlCiStore } from "../src/ci/store/sql/sql-store.ts";
import { RegistryMirrors } from "../src/oci/mirrors.ts";
import { generateImage, pushImage } from "../src/oci/image.ts";
import { RegistryClient } from "../src/oci/registry-client.ts";
import { startTestRegistry } from "../src/oci/registry.test-support.ts";
import type { DevEnv } from "../src/dev/env-file.ts";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { logText } from "./helpers/build-log.ts";
import { adminClient } from "./helpers/kube.ts";

let env: DevEnv & { imageMirror: string };
let work: string;
let builder: ImageBuilder;
let images: ImageRootfsCache;

before(async () => {
  env = (await testEnvWithImages()).env;
  work = await mkdtemp(path.join(os.tmpdir(), "sluice-task-step-"));
  const mirrors = RegistryMirrors.parse([`docker.io=${env.imageMirror}/docker.io`]);
  builder = createImageBuilder({ stateDir: path.join(work, "builder"), mirrors });
  images = new ImageRootfsCache({ dir: path.join(work, "images"), builder, mirrors });
});
after(async () => {
  await builder.close();
  await rm(work, { recursive: true, force: true });
});

const busybox = { type: "registry-image", source: { repository: "busybox", tag: "1.36" } };

async function fixture(t: TestContext, sandboxOptions: Partial<SandboxOptions> = {}) {
  const dataDir = await mkdtemp(path.join(work, "data-"));
  const store = await SqlCiStore.openSqlite({ dataDir });
  t.after(() => store.close());
  const client = await adminClient(t);
  const team = `task-${randomBytes(3).toString("hex")}`;
  const workDir = path.join(dataDir, "worker");
  const runner = new BuildRunner({
    store,
    dataDir,
    resources: builtinResources(),
    vars: kubernetesPipelineVars(client),
    task: taskStepRunner({
      images,
      builder,
      sandbox: await Sandbox.open({ workDir, ...sandboxOptions }),
      caches: new TaskCaches({ dir: path.join(workDir, "caches") }),
    }),
    flushMs: 50,
  });
  const run = async (
    pipelineYaml: string,
    job: string,
    whileRunning?: (buildId: number) => Promise<void>,
  ) => {
    const current = await store.getPipeline({ team, name: job });
    const saved = await store.setPipeline(
      pipelineInput(job, pipelineYaml, { team, expectedVersion: current?.configVersion ?? 0 }),
    );
    assert.ok(saved.ok, JSON.stringify(saved));
    const jobRecord = await store.getJob(saved.pipeline.id, job);
    const build = await store.createJobBuild({ jobId: jobRecord!.id });
    await store.startBuild(build.id, Date.now());
    const running = runner.run(build);
    await whileRunning?.(build.id);
    const status = await running;
    const events = await store.readBuildEvents(build.id);
    return { status, log: logText(events), events };
  };
  return { run, runner, dataDir };
}

const job = (name: string, plan: unknown[]) => JSON.stringify({ jobs: [{ name, plan }] });
const task = (name: string, config: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  task: name,
  config: { platform: "linux", image_resource: busybox, ...config },
  ...extra,
});

test("tasks run in their image, isolated: outputs flow to the next task, params and user apply, the image stays untouched", async (t) => {
  const f = await fixture(t);
  const { status, log } = await f.run(
    job("flow", [
      task(
        "write",
        {
          outputs: [{ name: "out" }],
          params: { GREETING: "hello", COUNT: 3 },
          run: {
            path: "sh",
            args: [
              "-ec",
              [
                'echo "$GREETING x$COUNT" > out/greeting',
                "echo planted > /bin/planted",
                'echo "pid1=$(cat /proc/1/cmdline | tr "\\0" " ")"',
                'echo "processes=$(ls /proc | grep -c "^[0-9]")"',
                "test ! -e /work && echo no-host-files",
                'echo "cwd=$(pwd)"',
              ].join("\n"),
            ],
          },
        },
        { params: { COUNT: 4 } },
      ),
      task(
        "read",
        {
          inputs: [{ name: "greeting-dir" }],
          run: {
            path: "sh",
            args: ["-ec", 'echo "read: $(cat greeting-dir/greeting) as $(id -u)"'],
            user: "65534",
          },
        },
        { input_mapping: { "greeting-dir": "out" } },
      ),
    ]),
    "flow",
  );
  assert.equal(status, "succeeded", log);
  assert.match(
    log,
    /read: hello x4 as 65534/,
    "params (the step's winning) and the output reached the next task",
  );
  assert.match(log, /no-host-files/);
  assert.match(log, /cwd=\/tmp\/build\/[0-9a-f]{8}$/m);
  const processes = Number(/processes=(\d+)/.exec(log)?.[1]);
  assert.ok(processes > 0 && processes < 6, `a PID namespace of its own: ${processes} processes`);
  const [entry] = (await readdir(path.join(work, "images"))).filter((name) => /^[0-9a-f]{64}$/.test(name));
  await assert.rejects(
    stat(path.join(work, "images", entry!, "rootfs/bin/planted")),
    "the shared image is unchanged",
  );
  await assert.rejects(stat(path.join(work, "images", entry!, "rootfs/usr/bin/planted")));
  assert.deepEqual(
    await readdir(path.join(f.dataDir, "worker/containers")),
    [],
    "writable layers are removed",
  );
});

test("a task's cache survives to the next build; a failing task fails with its exit status", async (t) => {
  const f = await fixture(t);
  const cached = job("cached", [
    task("count", {
      caches: [{ path: "cache" }],
      run: { path: "sh", args: ["-ec", "echo x >> cache/runs; echo runs=$(wc -l < cache/runs)"] },
    }),
  ]);
  assert.match((await f.run(cached, "cached")).log, /runs=1/);
  assert.match((await f.run(cached, "cached")).log, /runs=2/);

  const failing = await f.run(
    job("failing", [task("fail", { run: { path: "sh", args: ["-c", "echo about to fail; exit 3"] } })]),
    "failing",
  );
  assert.equal(failing.status, "failed");
  assert.match(failing.log, /about to fail\nexit status 3/);
});

test("bad tasks error with a message: a missing input, a missing command, no image, an unknown image", async (t) => {
  const f = await fixture(t);
  const missing = await f.run(
    job("missing", [task("t", { inputs: [{ name: "source" }], run: { path: "true" } })]),
    "missing",
  );
  assert.equal(missing.status, "errored");
  assert.match(missing.log, /missing inputs: source/);

  const noCommand = await f.run(
    job("nocommand", [task("t", { run: { path: "/no/such/binary" } })]),
    "nocommand",
  );
  assert.equal(noCommand.status, "errored");
  assert.match(noCommand.log, /cannot run the task: \/no\/such\/binary is not in the image/);
  const notOnPath = await f.run(job("notonpath", [task("t", { run: { path: "dotnet" } })]), "notonpath");
  assert.equal(notOnPath.status, "errored");
  assert.match(notOnPath.log, /dotnet is not in the image's PATH/);

  const noImage = await f.run(
    job("noimage", [{ task: "t", config: { platform: "linux", run: { path: "true" } } }]),
    "noimage",
  );
  assert.equal(noImage.status, "errored");
  assert.match(noImage.log, /names no image/);

  const unknownImage = await f.run(
    job("unknownimage", [
      task("t", {
        image_resource: {
          type: "registry-image",
          source: { repository: `${env.registry}/nope/never`, tag: "1" },
        },
        run: { path: "true" },
      }),
    ]),
    "unknownimage",
  );
  assert.equal(unknownImage.status, "errored");
  assert.match(unknownImage.log, /nope\/never/);
});

test("an image_resource with wrong credentials or a corrupted layer errors naming the cause, the password never shown", async (t) => {
  const f = await fixture(t);
  const credentials = { username: "ci", password: `secret-${randomBytes(6).toString("hex")}` };
  const registry = await startTestRegistry({ auth: credentials });
  t.after(() => registry.stop());
  const client = new RegistryClient({ host: registry.host, credentials });
  t.after(() => client.close());
  const image = generateImage({ files: { "etc/motd": "untrusted layer\n" } });
  await pushImage(client, "team/app", ["v1"], image);
  const withSource = (source: Record<string, unknown>) =>
    job("untrusted", [
      task("t", { image_resource: { type: "registry-image", source }, run: { path: "true" } }),
    ]);
  const base = { repository: `${registry.host}/team/app`, tag: "v1" };

  const wrong = `wrong-${randomBytes(6).toString("hex")}`;
  const denied = await f.run(withSource({ ...base, username: "ci", password: wrong }), "untrusted");
  assert.equal(denied.status, "errored", denied.log);
  assert.match(denied.log, /team\/app/);
  assert.match(denied.log, /the registry rejected the credentials of user "ci"/);
  assert.ok(!denied.log.includes(wrong), "the password stays out of the log");

  const [layer] = image.layers;
  const hex = layer!.digest.slice("sha256:".length);
  const data = path.join(
    registry.dir,
    "storage/docker/registry/v2/blobs/sha256",
    hex.slice(0, 2),
    hex,
    "data",
  );
  const found = await stat(data).catch(() => undefined);
  const blobFile = found ? data : await findBlob(registry.dir, hex);
  const original = await readFile(blobFile);
  await writeFile(blobFile, Buffer.alloc(original.length, 7)); // same size, other bytes
  const corrupted = await f.run(withSource({ ...base, ...credentials }), "untrusted");
  assert.equal(corrupted.status, "errored", corrupted.log);
  assert.match(corrupted.log, /team\/app/);
  assert.match(
    corrupted.log,
    /layer sha256:[0-9a-f]{64} is corrupted: the registry served content whose digest is sha256:/,
  );
});

test("a layer whose symlinks lead out of the root writes nothing outside it", async (t) => {
  const f = await fixture(t);
  const outside = await mkdtemp(path.join(os.tmpdir(), "sluice-escape-target-"));
  t.after(() => rm(outside, { recursive: true, force: true }));
  const image = generateImage({
    files: { "etc/motd": "hostile\n" },
    entries: [
      { type: "symlink", path: "absolute", target: outside },
      { type: "file", path: "absolute/pwned-absolute", content: "x" },
      { type: "symlink", path: "relative", target: `../../../../../../../..${outside}` },
      { type: "file", path: "relative/pwned-relative", content: "x" },
    ],
  });
  const repository = `${env.registry}/tasks/hostile-${randomBytes(3).toString("hex")}`;
  const client = new RegistryClient({ host: env.registry });
  t.after(() => client.close());
  await pushImage(client, repository.slice(env.registry.length + 1), ["1"], image);
  const result = await f.run(
    job("hostile", [
      task("t", {
        image_resource: { type: "registry-image", source: { repository, tag: "1" } },
        run: { path: "/x" },
      }),
    ]),
    "hostile",
  );
  assert.equal(result.status, "errored", result.log);
  assert.deepEqual(await readdir(outside), [], "nothing was written through the layer's symlinks");
});

async function findBlob(dir: string, hex: string): Promise<string> {
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.name === "data" && entry.parentPath.endsWith(hex))
      return path.join(entry.parentPath, entry.name);
  }
  throw new Error(`no blob ${hex} under ${dir}`);
}

test("a task config from a file in an artifact, with the step's vars; an invalid config is refused", async (t) => {
  const f = await fixture(t);
  const file = [
    "platform: linux",
    "image_resource: { type: registry-image, source: { repository: busybox, tag: '1.36' } }",
    // written by the shell so that the writing task's own config holds no ((var))
    'run: { path: echo, args: ["$o"word"$c"] }',
  ].join("\n");
  const fromFile = await f.run(
    job("fromfile", [
      task("write", {
        outputs: [{ name: "ci" }],
        run: { path: "sh", args: ["-ec", `o='(('; c='))'; printf "%s\\n" "${file}" > ci/task.yml`] },
      }),
      { task: "run", file: "ci/task.yml", vars: { word: "from-a-task-file" } },
    ]),
    "fromfile",
  );
  assert.equal(fromFile.status, "succeeded", fromFile.log);
  assert.match(fromFile.log, /^from-a-task-file$/m);

  // a config in the pipeline is validated when the pipeline is set; one from a file when the task runs
  const invalid = await f.run(
    job("invalid", [
      task("write", {
        outputs: [{ name: "ci" }],
        run: { path: "sh", args: ["-ec", "printf 'platform: linux\\nouputs: []\\n' > ci/bad.yml"] },
      }),
      { task: "bad", file: "ci/bad.yml" },
    ]),
    "invalid",
  );
  assert.equal(invalid.status, "errored");
  assert.match(invalid.log, /invalid task config in ci\/bad.yml:\n.*ouputs/);
});

test("aborting a build kills the task's whole process tree", async (t) => {
  const f = await fixture(t);
  const marker = `sleep-marker-${randomBytes(4).toString("hex")}`;
  const result = await f.run(
    job("long", [
      task("sleep", { run: { path: "sh", args: ["-c", `sleep 1000 & sleep 1001 ; echo ${marker}`] } }),
    ]),
    "long",
    async (buildId) => {
      await sleep(3000);
      assert.equal(f.runner.abort(buildId), true);
    },
  );
  assert.equal(result.status, "aborted");
  await sleep(200);
  const survivors = [];
  for (const pid of (await readdir("/proc")).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(marker)) survivors.push(pid);
  }
  assert.deepEqual(survivors, [], "no process of the task is left");
});

test("a task is stopped when the worker's disk runs low, and says so", async (t) => {
  const full = await fixture(t, { minFreeBytes: Number.MAX_SAFE_INTEGER }); // "low" at once
  const filling = await full.run(
    job("filling", [
      task("fill", { run: { path: "sh", args: ["-c", "while true; do echo x >> big; done"] } }),
    ]),
    "filling",
  );
  assert.equal(filling.status, "errored", filling.log);
  assert.match(
    filling.log,
    /the container was stopped: the disk holding .* has [\d.]+ GiB free, below the worker's bound/,
  );
});

test("container bounds: memory beyond container_limits is killed and said so, cpu shares reach the cgroup, a fork bomb is stopped", async (t) => {
  const f = await fixture(t, { maxProcesses: 64, forkStallMs: 2000 });
  const cgroups = await detectCgroups();
  if (typeof cgroups === "string") {
    const unbounded = await f.run(
      job("unbounded", [task("t", { container_limits: { memory: "64MB" }, run: { path: "true" } })]),
      "unbounded",
    );
    assert.match(unbounded.log, /container_limits are not enforced on this worker: /);
    return;
  }
  const hog = await f.run(
    job("hog", [
      task("eat", {
        container_limits: { memory: "32MB" },
        run: { path: "sh", args: ["-ec", "head -c 300m /dev/zero | tail > /dev/null"] },
      }),
    ]),
    "hog",
  );
  assert.equal(hog.status, "failed", hog.log);
  assert.match(
    hog.log,
    /the container ran out of memory: the kernel killed a process at its limit of 32 MiB/,
  );

  const cpuFile = cgroups.version === 1 ? "/sys/fs/cgroup/cpu/sluice" : "/sys/fs/cgroup/sluice";
  const wanted = cgroups.version === 1 ? "512" : String(weightOfShares(512));
  let seen: string | undefined;
  const weighted = await f.run(
    job("weighted", [task("t", { container_limits: { cpu: 512 }, run: { path: "sleep", args: ["3"] } })]),
    "weighted",
    async () => {
      for (let i = 0; i < 50 && seen === undefined; i++, await sleep(100)) {
        for (const group of await readdir(cpuFile).catch(() => [])) {
          const file = path.join(cpuFile, group, cgroups.version === 1 ? "cpu.shares" : "cpu.weight");
          if ((await readFile(file, "utf8").catch(() => "")).trim() === wanted) seen = group;
        }
      }
    },
  );
  assert.equal(weighted.status, "succeeded", weighted.log);
  assert.ok(seen, `a container's cgroup had the cpu ${wanted} of container_limits.cpu: 512`);

  // a runaway spawner that shrugs off refused forks, as a test harness gone wrong does
  const marker = `bomb-${randomBytes(4).toString("hex")}`;
  const spawner = `const { spawn } = require("child_process");
setInterval(() => {
  for (let i = 0; i < 16; i++) spawn("sh", ["-c", "sleep 600; true", "${marker}"]).on("error", () => {});
}, 20);`;
  const bomb = await f.run(
    job("bomb", [
      task("fork", {
        image_resource: { type: "registry-image", source: { repository: "node", tag: "22" } },
        run: { path: "node", args: ["-e", spawner] },
      }),
    ]),
    "bomb",
  );
  assert.equal(bomb.status, "errored", bomb.log.slice(-2000));
  assert.match(bomb.log, /the container was stopped: it kept forking at its limit of 64 processes for 2 s/);
  const survivors = [];
  for (const pid of (await readdir("/proc")).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(marker)) survivors.push(pid);
  }
  assert.deepEqual(survivors, [], "nothing of the fork bomb is left");
});

test("oci-build-task builds an image the next task runs in through image:", async (t) => {
  const f = await fixture(t);
  const { status, log } = await f.run(
    job("image", [
      task("dockerfile", {
        outputs: [{ name: "src" }],
        run: {
          path: "sh",
          args: [
            "-ec",
            "printf 'FROM busybox:1.36\\nRUN echo built-in-a-task > /made\\nENV MADE=yes\\n' > src/Dockerfile",
          ],
        },
      }),
      {
        task: "build",
        privileged: true,
        config: {
          platform: "linux",
          image_resource: { type: "registry-image", source: { repository: "concourse/oci-build-task" } },
          inputs: [{ name: "src" }],
          outputs: [{ name: "image" }],
          params: { CONTEXT: "src", UNPACK_ROOTFS: "true" },
          run: { path: "build" },
        },
      },
      {
        task: "use",
        image: "image",
        config: { platform: "linux", run: { path: "sh", args: ["-c", 'echo "$(cat /made) MADE=$MADE"'] } },
      },
    ]),
    "image",
  );
  assert.equal(status, "succeeded", log);
  assert.match(log, /built-in-a-task MADE=yes/);
});

test("an image the builder pushed runs as the next task's image_resource", async (t) => {
  const f = await fixture(t);
  const context = await mkdtemp(path.join(work, "pushed-"));
  await writeFile(
    path.join(context, "Dockerfile"),
    "FROM busybox:1.36\nRUN echo pushed-and-pulled > /greeting\n",
  );
  const repository = `${env.registry}/tasks/pushed-${randomBytes(3).toString("hex")}`;
  await builder.build({ contextDir: context, outputs: [{ kind: "push", refs: [`${repository}:1`] }] });
  const ran = await f.run(
    job("pushed", [
      task("use", {
        image_resource: { type: "registry-image", source: { repository, tag: "1" } },
        run: { path: "cat", args: ["/greeting"] },
      }),
    ]),
    "pushed",
  );
  assert.equal(ran.status, "succeeded", ran.log);
  assert.match(ran.log, /^pushed-and-pulled$/m);
});

test("a task runs in a large image (golang, 600 MB unpacked) and compiles a program there", async (t) => {
  const f = await fixture(t);
  const program = 'package main\nimport "fmt"\nfunc main() { fmt.Println("compiled in a task") }\n';
  const ran = await f.run(
    job("golang", [
      task("compile", {
        image_resource: { type: "registry-image", source: { repository: "golang", tag: "1.19" } },
        run: {
          path: "sh",
          args: [
            "-ec",
            `mkdir -p /tmp/p && cd /tmp/p && printf '%s' '${program}' > main.go && go mod init p >/dev/null 2>&1 && go run .`,
          ],
        },
      }),
    ]),
    "golang",
  );
  assert.equal(ran.status, "succeeded", ran.log);
  assert.match(ran.log, /^compiled in a task$/m);
});

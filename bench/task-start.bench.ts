// Task containers: a cold image (resolve, pull and unpack busybox through the mirror), a warm
// acquire, a warm container from start to its first log line and to its exit, N containers at
// once, the disk a container's writable layer takes while it runs, and a cold golang image.
// Run: scripts/with-node.sh node bench/task-start.bench.ts [parallel]
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createImageBuilder } from "../src/ci/builder/index.ts";
import { Sandbox } from "../src/ci/sandbox/container/sandbox.ts";
import { directorySize } from "../src/ci/sandbox/rootfs/directory-size.ts";
import { ImageRootfsCache } from "../src/ci/sandbox/rootfs/image-cache.ts";
import { devDown, devUp } from "../src/dev/environment.ts";
import { RegistryMirrors } from "../src/oci/mirrors.ts";

const parallel = Number(process.argv[2] ?? 20);
const envDir = path.join(os.tmpdir(), "sluice-bench-task-start-env");
const work = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-task-start-"));
const { env, alreadyRunning } = await devUp({ dir: envDir, nodes: 1, images: true });
const mirrors = RegistryMirrors.parse([`docker.io=${env.imageMirror}/docker.io`]);
const builder = createImageBuilder({ stateDir: path.join(work, "builder"), mirrors });
const images = new ImageRootfsCache({ dir: path.join(work, "images"), builder, mirrors });
const request = { source: { repository: "busybox", tag: "1.36" } };
const signal = new AbortController().signal;
// as tasks run: a cgroup each (a process limit) where the machine has them, the disk watched
const sandbox = await Sandbox.open({ workDir: work });

const ms = (since: number) => `${(performance.now() - since).toFixed(0).padStart(6)} ms`;

async function container(n: number, argv: string[], onFirstLine: () => void, rootfs: string) {
  let seen = false;
  const { exitCode } = await sandbox.run({
    rootfs,
    mounts: [],
    env: { PATH: "/bin:/usr/bin" },
    cwd: "/tmp/build/bench",
    argv,
    privileged: false,
    hostname: `bench-${n}`,
    signal,
    timeoutMs: 60_000,
    onLine: () => {
      if (!seen) onFirstLine();
      seen = true;
    },
  });
  return exitCode;
}

console.log(`cgroups: ${sandbox.limitsUnavailable ?? "a group per container"}`);
try {
  let start = performance.now();
  const cold = await images.acquire(request, { signal });
  console.log(`cold image (resolve + pull + unpack busybox)  ${ms(start)}`);
  start = performance.now();
  const warm = await images.acquire(request, { signal });
  console.log(`warm acquire                                  ${ms(start)}`);
  for (let i = 0; i < 3; i++) {
    start = performance.now();
    let first = "";
    await container(i, ["echo", "ready"], () => (first = ms(start)), warm.rootfs);
    console.log(`warm container: first line ${first}, exit ${ms(start)}`);
  }
  start = performance.now();
  const codes = await Promise.all(
    Array.from({ length: parallel }, (_, i) => container(100 + i, ["echo", "ready"], () => {}, warm.rootfs)),
  );
  console.log(
    `${parallel} containers at once, all exited        ${ms(start)} (failures: ${codes.filter((c) => c !== 0).length})`,
  );
  let layerBytes = 0;
  await container(
    999,
    ["sh", "-c", "echo started; sleep 1"],
    () => void directorySize(path.join(work, "containers")).then((bytes) => (layerBytes = bytes)),
    warm.rootfs,
  );
  console.log(
    `disk of a running container's layer           ${(layerBytes / 1024).toFixed(0).padStart(6)} KiB`,
  );
  console.log(
    `image on disk (shared by every container)      ${((await directorySize(cold.rootfs)) / 1e6).toFixed(1).padStart(6)} MB`,
  );
  start = performance.now();
  const golang = await images.acquire({ source: { repository: "golang", tag: "1.19" } }, { signal });
  console.log(
    `cold image golang:1.19 (pull + unpack)        ${ms(start)}, ${((await directorySize(golang.rootfs)) / 1e6).toFixed(0)} MB`,
  );
  golang.release();
  cold.release();
  warm.release();
} finally {
  await builder.close();
  if (!alreadyRunning) await devDown(envDir, { purge: true });
  await rm(work, { recursive: true, force: true });
}

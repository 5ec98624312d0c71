// The image builder on a two-stage Go app (golang:1.19 → busybox, from the offline base images
// through the registry's mirror): a cold build (fresh builder state), a warm build after one
// source file changed, the push of the result, the builder's cache on disk, and the same warm
// build by `buildctl` run by hand against the same daemon, for the cost of Sluice's wrapping.
// Run: scripts/with-node.sh node bench/image-build.bench.ts
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { treeSize, mib } from "./lib/sizes-and-latencies.ts";
import { BuildkitImageBuilder } from "../src/ci/builder/buildkit/builder.ts";
import { buildctlArgs } from "../src/ci/builder/buildkit/buildctl-args.ts";
import { BuildkitDaemon } from "../src/ci/builder/buildkit/daemon.ts";
import { upstreamBinary } from "../src/common/toolchain.ts";
import { devDown, devUp } from "../src/dev/environment.ts";
import { RegistryMirrors } from "../src/oci/mirrors.ts";
import { runProcess } from "../src/process/run.ts";
import { goAppFiles } from "../test/helpers/go-app.ts";

const envDir = path.join(os.tmpdir(), "sluice-bench-image-build-env");
const work = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-image-build-"));
const { env, alreadyRunning } = await devUp({ dir: envDir, nodes: 1, images: true });
const [buildkitd, buildctl] = await Promise.all([upstreamBinary("buildkitd"), upstreamBinary("buildctl")]);
const daemon = new BuildkitDaemon({
  buildkitd,
  stateDir: path.join(work, "state"),
  mirrors: RegistryMirrors.parse([`docker.io=${env.imageMirror}/docker.io`]),
});
const builder = new BuildkitImageBuilder({ daemon, buildctl, stateDir: path.join(work, "state") });

const timed = async (label: string, run: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  console.log(`${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms`);
  return ms;
};

try {
  const context = path.join(work, "app");
  await mkdir(context);
  const writeApp = async (message: string) => {
    for (const [name, content] of Object.entries(goAppFiles(message)))
      await writeFile(path.join(context, name), content);
  };
  const ref = `${env.registry}/bench/go-app`;
  let round = 0;
  const build = (outputs: Parameters<typeof builder.build>[0]["outputs"]) =>
    builder.build({ contextDir: context, outputs });
  const change = () => writeApp(`change ${++round}`);

  await writeApp("cold");
  await timed("daemon start", () => daemon.address());
  await timed("cold build (fresh cache), no output", () => build([]));
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    await change();
    warm.push(await timed("warm build, one file changed, no output", () => build([])));
  }
  await change();
  await timed("warm build + push", () => build([{ kind: "push", refs: [`${ref}:bench`] }]));
  await timed("unchanged rebuild + push (all cached)", () =>
    build([{ kind: "push", refs: [`${ref}:bench`] }]),
  );

  const byHand: number[] = [];
  for (let i = 0; i < 3; i++) {
    await change();
    const args = buildctlArgs(
      await daemon.address(),
      { contextDir: context, outputs: [] },
      {
        metadataFile: path.join(work, "metadata.json"),
        importCache: false,
      },
    );
    byHand.push(
      await timed("warm build by buildctl by hand", () =>
        runProcess(buildctl, args, {
          env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin" },
          timeoutMs: 600_000,
        }),
      ),
    );
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const overhead = (median(warm) / median(byHand) - 1) * 100;
  console.log(`wrapping overhead (median warm vs by hand): ${overhead.toFixed(1)} %`);
  console.log(`builder state on disk: ${mib(await treeSize(path.join(work, "state")))} MiB`);
} finally {
  await builder.close();
  if (!alreadyRunning) await devDown(envDir, { purge: true });
  await rm(work, { recursive: true, force: true });
}

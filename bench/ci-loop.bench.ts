// The whole loop with real webhooks, over several code pushes: the git server's push event checks
// the pipeline's app resource, the build (oci-build-task on the daemonless builder) pushes the
// image, the registry's notification scans it, the automation commits, the Kustomization rolls out.
// Then the semver resource's bump + push (compare-and-swap on the git server), alone.
// Run: scripts/with-node.sh node bench/ci-loop.bench.ts [rounds] [bumps]
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { semverResource } from "../src/ci/resources/semver/resource.ts";
import { devDown, devUp } from "../src/dev/environment.ts";
import { pushFiles } from "../src/dev/push-files.ts";
import { codePushRound, startWholeLoop } from "../src/dev/whole-loop.ts";
import { KubeClient } from "../src/kube/client.ts";
import { loadKubeconfig } from "../src/kube/kubeconfig.ts";

const rounds = Number(process.argv[2] ?? 5);
const bumps = Number(process.argv[3] ?? 10);
const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-ci-loop-"));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const row = (label: string, xs: number[]) =>
  console.log(
    `  ${label.padEnd(40)} ${(pct(xs, 50) / 1000).toFixed(2)} s   ${(pct(xs, 90) / 1000).toFixed(2)} s`,
  );

const { env } = await devUp({ dir, nodes: 3, server: true, images: true });
const client = new KubeClient(await loadKubeconfig(env.kubeconfig));
try {
  const { loop } = await startWholeLoop(env, client, { namespace: "bench", run: "bench" });
  const perStep = new Map<string, number[]>();
  for (let i = 1; i <= rounds; i++) {
    const version = `1.${i}.0`;
    for (const { step, ms } of await codePushRound(loop, `web ${version}`, version)) {
      const key = step.replace(version, "the tag").replace(/#\d+/, "");
      perStep.set(key, [...(perStep.get(key) ?? []), ms]);
    }
  }
  console.log(`code push -> rolled out, ${rounds} rounds, webhooks only (2 cores):`);
  console.log("  step (cumulative from the push)            p50      p90");
  for (const [step, xs] of perStep) row(step, xs);
  console.log("  targets: build started under 1 s after the push; the whole loop well under 10 s");

  const { url } = await pushFiles(
    env,
    "bench/versioned",
    { "README.md": "semver bench\n" },
    { message: "init" },
  );
  const source = {
    driver: "git",
    uri: url,
    branch: "version",
    file: "version",
    username: env.gitUsername,
    password: env.gitPassword,
    initial_version: "1.0.0",
  };
  const inputs = await mkdtemp(path.join(dir, "inputs-"));
  const times: number[] = [];
  let last = "";
  for (let i = 0; i < bumps; i++) {
    const started = Date.now();
    last = (await semverResource.put(source, { bump: "patch" }, inputs)).version["number"] ?? "";
    times.push(Date.now() - started);
  }
  console.log(`semver bump + push on the git server, ${bumps} in a row (ended at ${last}):`);
  row("bump patch, commit, push", times);
} finally {
  await client.close();
  await devDown(dir, { purge: true });
  await rm(dir, { recursive: true, force: true });
}

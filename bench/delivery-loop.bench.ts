// End to end: an image pushed to the registry until the Deployment is rolled out, through the
// ImageRepository scan (requested at once, as a registry webhook would), the ImagePolicy, the
// ImageUpdateAutomation commit, the GitRepository fetch and the Kustomization apply.
// Run: scripts/with-node.sh node bench/delivery-loop.bench.ts [rounds]
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DeliveryLoop } from "../src/dev/delivery-loop.ts";
import { devDown, devUp } from "../src/dev/environment.ts";
import { KubeClient } from "../src/kube/client.ts";
import { loadKubeconfig } from "../src/kube/kubeconfig.ts";

const rounds = Number(process.argv[2] ?? 10);
const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-loop-"));
const { env } = await devUp({ dir, nodes: 3, server: true });
const client = new KubeClient(await loadKubeconfig(env.kubeconfig));
const loop = new DeliveryLoop(env, client, "loop");
try {
  await loop.pushImage("1.0.0");
  await loop.declare((await loop.commitManifests("1.0.0")).url);
  while (!(await loop.rolledOut("1.0.0").catch(() => false))) await sleep(100);
  const perStep = new Map<string, number[]>();
  for (let i = 1; i <= rounds; i++) {
    const tag = `1.${i}.0`;
    const previous = await loop.lastPushCommit();
    const started = Date.now();
    await loop.pushImage(tag);
    await loop.requestScan();
    for (const { step, ms } of await loop.followTag(tag, previous, started)) {
      const key = step.replace(tag, "the tag");
      perStep.set(key, [...(perStep.get(key) ?? []), ms]);
    }
  }
  const pct = (xs: number[], p: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  console.log(
    `image pushed -> Deployment rolled out, ${rounds} rounds (2 cores; scan requested at once, as a registry webhook would):`,
  );
  console.log("  step (cumulative from the push)        p50      p90");
  for (const [step, xs] of perStep)
    console.log(
      `  ${step.padEnd(36)} ${(pct(xs, 50) / 1000).toFixed(2)} s   ${(pct(xs, 90) / 1000).toFixed(2)} s`,
    );
  console.log("  target with webhooks: under 5 s end to end");
} finally {
  await client.close();
  await devDown(dir, { purge: true });
  await rm(dir, { recursive: true, force: true });
}

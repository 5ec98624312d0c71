import type { Command } from "commander";
import { setTimeout as sleep } from "node:timers/promises";
import { CiLoop, type Timing } from "../../dev/ci-loop.ts";
import { DeliveryLoop } from "../../dev/delivery-loop.ts";
import { defaultDevDir } from "../../dev/env-file.ts";
import { devUp } from "../../dev/environment.ts";
import { KubeClient } from "../../kube/client.ts";
import { loadKubeconfig } from "../../kube/kubeconfig.ts";
import { SluiceError } from "../../common/errors.ts";

const say = (m: string) => process.stdout.write(`${m}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) {
      throw new SluiceError(`demo: ${what} did not happen within ${timeoutMs / 1000}s`, {
        hint: "look at 'bin/sluice dev status' and .sluice/dev/logs/sluice-server.log",
      });
    }
    await sleep(100);
  }
}

const printTimings = (timings: readonly Timing[]) => {
  for (const { step, ms } of timings) say(`    +${seconds(ms).padStart(5)}  ${step}`);
};

/**
 * The main job on the local environment, the whole loop: a code push → the pipeline's build
 * (oci-build-task on the daemonless builder) → the image in the registry → the image policy →
 * the automation's commit → the source → the Kustomization → the rollout, each step timed.
 */
async function runDemo(dir: string): Promise<void> {
  say(
    "1/5 starting the local environment and sluice server (Kubernetes + kwok nodes, registry with base images, git server)",
  );
  const { env } = await devUp({ dir, nodes: 3, server: true, images: true });
  say(`    kubeconfig ${env.kubeconfig}`);
  const client = new KubeClient(await loadKubeconfig(env.kubeconfig));
  const run = Date.now().toString(36); // names this run's repositories (see CiLoop, DeliveryLoop)
  const loop = new DeliveryLoop(env, client, "demo", { run });
  const ci = new CiLoop(env, "demo", loop.image, run);
  try {
    await Promise.all([ci.reset(), loop.reset()]); // a reused environment starts over
    say(
      "2/5 pushing the app (a Dockerfile on busybox) and setting its Concourse pipeline: build, push, bump version",
    );
    const app = await ci.pushApp("web 1.0.0");
    await ci.setPipeline(client, app.url);
    say(`    ${app.url} @ ${app.sha.slice(0, 12)}; pipeline main/web unpaused`);
    say("3/5 committing the app's manifests, with an image policy marker, and declaring the CD objects");
    const manifests = await loop.commitManifests("1.0.0");
    await loop.declare(manifests.url);
    say("4/5 the first build: the pipeline builds the image from the Dockerfile and pushes demo/web:1.0.0");
    const firstStarted = Date.now();
    await ci.checkApp({ andVersion: true });
    printTimings(await ci.followBuild(undefined, firstStarted)); // the pipeline is new: its first build
    await loop.requestScan();
    await until("the rollout of 1.0.0", () => loop.rolledOut("1.0.0"));
    say(
      `    +${seconds(Date.now() - firstStarted).padStart(5)}  deployment demo/web 3/3 available with 1.0.0 on kwok nodes`,
    );

    say("5/5 a code push: the greeting changes; watch it travel from git to the cluster:");
    const previousBuild = await ci.lastBuildId();
    const previousCommit = await loop.lastPushCommit();
    const started = Date.now();
    await ci.pushApp("web 1.1.0");
    await ci.checkApp(); // as the git server's webhook would
    printTimings(await ci.followBuild(previousBuild, started));
    await loop.requestScan(); // as the registry's webhook would
    printTimings(await loop.followTag("1.1.0", previousCommit, started));
  } finally {
    await client.close();
  }
  say(
    `\ndone. try: ${env.kubectl} --kubeconfig ${env.kubeconfig} -n demo get imagepolicies,imageupdateautomations,kustomizations,deploy`,
  );
  say("push another change to the app repository, and the pipeline and the cluster follow.");
  say("stop everything with: bin/sluice dev down");
}

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("start the local environment and run the main job end to end")
    .option("--dir <dir>", "environment directory", defaultDevDir)
    .action((opts: { dir: string }) => runDemo(opts.dir));
}

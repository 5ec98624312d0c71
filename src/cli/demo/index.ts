import type { Command } from "commander";
import { setTimeout as sleep } from "node:timers/promises";
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

/** The main job on the local environment: image → policy → automation commit → source → rollout. */
async function runDemo(dir: string): Promise<void> {
  say("1/5 starting the local environment and sluice server (Kubernetes + kwok nodes, registry, git server)");
  const { env } = await devUp({ dir, nodes: 3, server: true });
  say(`    kubeconfig ${env.kubeconfig}`);
  const client = new KubeClient(await loadKubeconfig(env.kubeconfig));
  const loop = new DeliveryLoop(env, client, "demo");
  try {
    say("2/5 building and pushing image demo/web:1.0.0 (daemonless)");
    await loop.pushImage("1.0.0");
    say("3/5 committing the app's manifests, with an image policy marker, to the config repository");
    const first = await loop.commitManifests("1.0.0");
    say(`    ${first.url} @ ${first.sha.slice(0, 12)}`);
    say(
      "4/5 declaring GitRepository, Kustomization, ImageRepository, ImagePolicy (semver ^1.0) and ImageUpdateAutomation",
    );
    await loop.declare(first.url);
    await until("the rollout of 1.0.0", () => loop.rolledOut("1.0.0"));
    say("    deployment demo/web 3/3 available with 1.0.0 on kwok nodes");

    say("5/5 CI pushes demo/web:1.1.0; the registry notifies Sluice; watch the cluster follow:");
    const previous = await loop.lastPushCommit();
    const started = Date.now();
    await loop.pushImage("1.1.0");
    await loop.requestScan();
    for (const { step, ms } of await loop.followTag("1.1.0", previous, started))
      say(`    +${seconds(ms).padStart(5)}  ${step}`);
  } finally {
    await client.close();
  }
  say(
    `\ndone. try: ${env.kubectl} --kubeconfig ${env.kubeconfig} -n demo get imagepolicies,imageupdateautomations,kustomizations,deploy`,
  );
  say(
    "push another tag (e.g. with the registry API) or edit the config repository, and the cluster follows.",
  );
  say("stop everything with: bin/sluice dev down");
}

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("start the local environment and run the main job end to end")
    .option("--dir <dir>", "environment directory", defaultDevDir)
    .action((opts: { dir: string }) => runDemo(opts.dir));
}

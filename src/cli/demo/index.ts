import type { Command } from "commander";
import type { Timing } from "../../dev/ci-loop.ts";
import { codePushRound, startWholeLoop, type Progress } from "../../dev/whole-loop.ts";
import { defaultDevDir } from "../../dev/env-file.ts";
import { devUp } from "../../dev/environment.ts";
import { KubeClient } from "../../kube/client.ts";
import { loadKubeconfig } from "../../kube/kubeconfig.ts";
import { SluiceError } from "../../common/errors.ts";

const say = (m: string) => process.stdout.write(`${m}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

const printTimings = (timings: readonly Timing[]) => {
  for (const { step, ms } of timings) say(`    +${seconds(ms).padStart(5)}  ${step}`);
};

/**
 * The main job on the local environment, the whole loop: a code push → the pipeline's build
 * (oci-build-task on the daemonless builder) → the image in the registry → the image policy →
 * the automation's commit → the source → the Kustomization → the rollout on a real node → the
 * app answering over HTTP, each step timed.
 */
async function runDemo(dir: string): Promise<void> {
  say(
    "1/5 starting the local environment and sluice server (Kubernetes with kwok nodes and a real node, registry with base images, git server)",
  );
  const { env } = await devUp({ dir, nodes: 3, realNodes: 1, server: true, images: true });
  say(`    kubeconfig ${env.kubeconfig}`);
  const client = new KubeClient(await loadKubeconfig(env.kubeconfig));
  let step = 1;
  const progress: Progress = (message, kind) =>
    say(kind === "step" ? `${++step}/5 ${message}` : `    ${message}`);
  try {
    const { loop, firstBuild } = await startWholeLoop(env, client, {
      namespace: "demo",
      run: Date.now().toString(36),
      progress,
    }).catch((error: unknown) => {
      throw new SluiceError(`demo: ${(error as Error).message}`, {
        hint: "look at 'bin/sluice dev status' and .sluice/dev/logs/sluice-server.log",
      });
    });
    printTimings(firstBuild);
    say("5/5 a code push: the greeting changes; watch it travel from git to the cluster:");
    printTimings(await codePushRound(loop, "web 1.1.0", "1.1.0"));
    const build = await loop.ci.lastBuildId();
    if (env.sluiceUrl && build !== undefined)
      say(
        `\nthe same path in the web UI: ${env.sluiceUrl}/trace/builds/${build} (user ${env.sluiceUsername}, password ${env.sluicePassword})`,
      );
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

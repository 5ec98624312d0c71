/**
 * The whole loop on a local environment started with a server and base images, shared by
 * `sluice demo` and the CI loop benchmark: an app repository and its pipeline (CiLoop), the
 * manifests and CD objects (DeliveryLoop), both told of changes by real webhooks — the git
 * server's push events check the app, the registry's notifications scan the image.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "../kube/client.ts";
import { CiLoop, type Timing } from "./ci-loop.ts";
import { DeliveryLoop } from "./delivery-loop.ts";
import type { DevEnv } from "./env-file.ts";

export interface WholeLoop {
  ci: CiLoop;
  cd: DeliveryLoop;
}

/** What the set-up reports as it goes: a step's title, or a detail of the step before. */
export type Progress = (message: string, kind: "step" | "detail") => void;

async function until(what: string, done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000}s`);
    await sleep(100);
  }
}

/**
 * Sets the loop up in `namespace` and runs its first build to the rollout of 1.0.0. Each `run`
 * names its own repositories (see CiLoop, DeliveryLoop); an earlier run's pipeline, namespace and
 * images are removed first.
 */
export async function startWholeLoop(
  env: DevEnv,
  client: KubeClient,
  options: { namespace: string; run: string; progress?: Progress; timeoutMs?: number },
): Promise<{ loop: WholeLoop; firstBuild: Timing[] }> {
  const progress = options.progress ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 300_000;
  const cd = new DeliveryLoop(env, client, options.namespace, { run: options.run });
  const ci = new CiLoop(env, options.namespace, cd.image, options.run);
  await Promise.all([ci.reset(), cd.reset()]);
  progress(
    "pushing the app (a Dockerfile on busybox) and setting its Concourse pipeline: build, push, bump version",
    "step",
  );
  const app = await ci.pushApp("web 1.0.0");
  await ci.setPipeline(client, app.url);
  await ci.listenToGit();
  progress(
    `${app.url} @ ${app.sha.slice(0, 12)}; pipeline main/web unpaused, told of each push by the git server's webhook`,
    "detail",
  );
  progress(
    `the first build: the pipeline builds the image from the Dockerfile and pushes ${cd.repository}:1.0.0`,
    "step",
  );
  const started = Date.now();
  await ci.checkApp({ andVersion: true }); // the pipeline is newer than the push: no webhook told it
  const firstBuild = await ci.followBuild(undefined, started, timeoutMs);
  // declared once the image exists: a Pod whose image is missing backs off its pulls for seconds
  progress(
    "committing the app's manifests, with an image policy marker, and declaring the CD objects",
    "step",
  );
  await cd.declare((await cd.commitManifests("1.0.0")).url);
  await cd.listenToRegistry();
  await until("the rollout of 1.0.0", () => cd.rolledOut("1.0.0"), timeoutMs);
  firstBuild.push({
    step: `deployment ${cd.namespace}/web 3/3 available with 1.0.0 on ${cd.onRealNodes ? "a real node" : "kwok nodes"}`,
    ms: Date.now() - started,
  });
  if (cd.onRealNodes) {
    await until('the app answering "web 1.0.0"', () => cd.answers("web 1.0.0"), timeoutMs);
    firstBuild.push({ step: 'the app answers "web 1.0.0" over HTTP', ms: Date.now() - started });
    await until("its Service answering", () => cd.serviceAnswers("web 1.0.0"), timeoutMs);
    firstBuild.push({
      step: `so does its Service, web.${cd.namespace}.svc.cluster.local`,
      ms: Date.now() - started,
    });
  }
  return { loop: { ci, cd }, firstBuild };
}

/**
 * A code push to the app with `greeting`, expected to become `version`; answers when each step
 * happened, from the push: build started, image pushed, scanned, selected, committed, fetched,
 * applied, rolled out. Nothing is requested by hand: the webhooks carry it.
 */
export async function codePushRound(loop: WholeLoop, greeting: string, version: string): Promise<Timing[]> {
  const previousBuild = await loop.ci.lastBuildId();
  const previousCommit = await loop.cd.lastPushCommit();
  const started = Date.now();
  await loop.ci.pushApp(greeting);
  return [
    ...(await loop.ci.followBuild(previousBuild, started)),
    ...(await loop.cd.followTag(version, previousCommit, started)),
  ];
}

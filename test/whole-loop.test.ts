import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { codePushRound, startWholeLoop } from "../src/dev/whole-loop.ts";
import { testEnvWithImages } from "./helpers/base-images.ts";
import { adminClient } from "./helpers/kube.ts";
import { startTestServer } from "./helpers/server.ts";

test("the whole loop, as `make demo` runs it: a code push reaches the cluster through the pipeline, the registry and the automation, carried by webhooks alone", async (t) => {
  const { env } = await testEnvWithImages();
  const client = await adminClient(t);
  const namespace = `loop-${randomBytes(4).toString("hex")}`;
  t.after(() => client.delete("v1", "Namespace", namespace).catch(() => {}));
  const password = randomBytes(9).toString("hex");
  const server = await startTestServer(t, client, {
    namespace,
    controllers: [
      "gitrepository",
      "kustomization",
      "imagerepository",
      "imagepolicy",
      "imageupdateautomation",
      "receiver",
    ],
    receivers: { listen: { host: "127.0.0.1", port: 0 } },
    ci: {
      tick: 200,
      listen: { host: "127.0.0.1", port: 0 },
      localUsers: [{ name: "admin", password }],
      registryMirrors: [`docker.io=${env.imageMirror}/docker.io`],
    },
  });
  const loopEnv = {
    ...env,
    sluiceUrl: server.ciUrl,
    sluiceUsername: "admin",
    sluicePassword: password,
    receiverUrl: server.receiverUrl,
  };
  const { loop, firstBuild } = await startWholeLoop(loopEnv, client, { namespace, run: namespace });
  assert.deepEqual(
    firstBuild.map((timing) => timing.step),
    [
      "pipeline started build #1",
      "build pushed the image",
      `deployment ${namespace}/web 3/3 available with 1.0.0 on kwok nodes`,
    ],
  );

  const round = await codePushRound(loop, "web 1.1.0", "1.1.0");
  assert.deepEqual(
    round.map((timing) => timing.step),
    [
      "pipeline started build #2",
      "build pushed the image",
      "registry scanned",
      "policy selected 1.1.0",
      "automation pushed a commit",
      "source fetched the commit",
      "kustomization applied it",
      "deployment rolled out",
    ],
  );
  // the app is a trigger input checked every minute: a build this soon was started by the git
  // server's push event, and the scan by the registry's notification (the image repository's
  // interval is a minute too)
  const [started, , scanned] = round;
  assert.ok(started!.ms < 30_000 && scanned!.ms < 45_000, JSON.stringify(round));
});

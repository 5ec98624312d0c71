import assert from "node:assert/strict";
import { test } from "node:test";
import { CiClient } from "../src/ci/api/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { realNodeEnv } from "./helpers/real-nodes.ts";
import { startCiServer } from "./helpers/server.ts";
import { loadKubeconfig } from "../src/kube/kubeconfig.ts";
import { waitFor } from "./helpers/wait.ts";

const busybox = 'image_resource: { type: registry-image, source: { repository: busybox, tag: "1.36" } }';
const podTask = (name: string, script: string, extra = "", image = busybox) => `
      - task: ${name}
        tags: [kubernetes]
        config:
          platform: linux
          ${image}
${extra}          run: { path: sh, args: [-ec, ${JSON.stringify(script)}] }`;

const pipeline = `
jobs:
  - name: pods
    plan:
      - task: make
        config:
          platform: linux
          ${busybox}
          outputs: [{ name: src }]
          run: { path: sh, args: [-ec, "echo hello > src/greeting; mkdir src/sub; echo deep > src/sub/file"] }
${podTask(
  "in-pod",
  'cat src/greeting src/sub/file; echo "$WHO $(hostname)" > out/result; echo x >> cache/count; echo "runs: $(wc -l < cache/count)"; echo to-stderr >&2',
  "          inputs: [{ name: src }]\n          outputs: [{ name: out }]\n          caches: [{ path: cache }]\n          params: { WHO: pod }\n",
)}
      - task: check
        config:
          platform: linux
          ${busybox}
          inputs: [{ name: out }]
          run: { path: cat, args: [out/result] }
  - name: exits
    plan:${podTask("fail", "echo failing; exit 3")}
  - name: no-image
    plan:${podTask("pull", "true", "", 'image_resource: { type: registry-image, source: { repository: busybox, tag: "no-such-tag" } }')}
  - name: long
    plan:${podTask("sleep", "echo sleeping; sleep 300")}
`;

async function runJob(api: CiClient, job: string, until?: (log: string) => boolean) {
  const build = await api.triggerJob("main", "pods", job);
  let log = "";
  for await (const event of api.buildEvents(build.id)) {
    const data = event.data as { line?: string; message?: string };
    if (event.event === "log" || event.event === "error") log += `${data.line ?? data.message ?? ""}\n`;
    if (until?.(log)) return { build, log, status: "running" };
  }
  return { build, log, status: (await api.getBuild(build.id)).status };
}

test("the Kubernetes worker runs a tagged task as a Pod on a real node: inputs in, outputs and caches out, exit codes, pull failures, abort", async (t) => {
  const { env, client } = await realNodeEnv(t, "sluice-task-pods-");
  const { url, password } = await startCiServer(t, client, env, {
    server: { access: await loadKubeconfig(env.kubeconfig) },
    ci: { taskPods: { namespace: "ci-tasks", nodeSelector: { "sluice.dev/real-node": "true" } } },
  });
  const api = await CiClient.login(url, "admin", password);
  await api.setConfig("main", "pods", pipeline, 0);
  await api.unpausePipeline("main", "pods");
  const taskPods = async () =>
    (await client.list<KubeObject>("v1", "Pod", { namespace: "ci-tasks" })).items.map((p) => p.metadata.name);

  await t.test(
    "inputs are copied in, the output comes back to the next (local) task, the cache is kept",
    async () => {
      const first = await runJob(api, "pods");
      assert.equal(first.status, "succeeded", first.log);
      const pod = /running as Pod ci-tasks\/(task-\S+)/.exec(first.log)?.[1];
      assert.ok(pod, first.log);
      assert.match(first.log, /^hello\ndeep$/m, "the input, a nested file included, was in the Pod");
      assert.match(first.log, /^to-stderr$/m);
      assert.match(
        first.log,
        new RegExp(`^pod ${pod}$`, "m"),
        "the local task read what the Pod wrote, with the Pod's hostname",
      );
      assert.match(first.log, /^runs: 1$/m);
      const second = await runJob(api, "pods");
      assert.match(second.log, /^runs: 2$/m, "the cache came back out of the first Pod and into the second");
      assert.deepEqual(await taskPods(), [], "the Pods are deleted when their task ends");
    },
  );

  await t.test("a non-zero exit fails the build with its status", async () => {
    const run = await runJob(api, "exits");
    assert.equal(run.status, "failed", run.log);
    assert.match(run.log, /^failing\nexit status 3$/m);
  });

  await t.test(
    "an image the node cannot pull errors the build, naming the container and the reason",
    async () => {
      const run = await runJob(api, "no-image");
      assert.equal(run.status, "errored", run.log);
      assert.match(
        run.log,
        /the task's Pod cannot start its task container: (ErrImagePull|ImagePullBackOff)/,
      );
      assert.deepEqual(await taskPods(), []);
    },
  );

  await t.test("aborting the build deletes its Pod", async () => {
    const run = await runJob(api, "long", (log) => log.includes("sleeping"));
    await api.abortBuild(run.build.id);
    const aborted = async () => ((await api.getBuild(run.build.id)).status === "aborted" ? true : undefined);
    await waitFor("the build to be aborted", aborted, { timeoutMs: 30_000 });
    await waitFor("its Pod to be deleted", async () => ((await taskPods()).length === 0 ? true : undefined));
  });
});

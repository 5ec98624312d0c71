import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import type { Reconciler } from "../src/runtime/controller.ts";
import { Manager } from "../src/runtime/manager.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { waitFor } from "./helpers/wait.ts";

/** A synchronous condition as a `waitFor` check. */
const when = (check: () => boolean) => () => Promise.resolve(check() ? true : undefined);

const labelSelector = "app=sluice-manager-test";

const configMap = (namespace: string, name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace, labels: { app: "sluice-manager-test" } },
});

function startManager(
  t: TestContext,
  client: KubeClient,
  namespace: string,
  reconcile: Reconciler<KubeObject>,
  shutdownTimeoutMs = 10_000,
) {
  const manager = new Manager({ client, health: { host: "127.0.0.1", port: 0 }, shutdownTimeoutMs });
  // the namespace's own kube-root-ca.crt stays out of the counts
  manager.controller({
    name: "configmap",
    apiVersion: "v1",
    kind: "ConfigMap",
    namespace,
    labelSelector,
    reconcile,
  });
  const controller = new AbortController();
  let stoppedAt = 0;
  const running = manager.run(controller.signal).then(() => (stoppedAt = Date.now()));
  t.after(async () => {
    controller.abort();
    await running;
  });
  return { manager, abort: () => controller.abort(), running, stoppedAt: () => stoppedAt };
}

test("the health server answers /healthz, /readyz and /metrics with the runtime's metrics", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "mgr");
  const reconciled: string[] = [];
  const { manager } = startManager(t, client, ns, (cm) => {
    reconciled.push(cm.metadata.name!);
    return Promise.resolve({});
  });
  await waitFor(
    "the health server",
    when(() => manager.healthAddress !== undefined),
  );
  const base = `http://127.0.0.1:${manager.healthAddress!.port}`;
  const get = async (path: string) => {
    const res = await fetch(base + path);
    return { status: res.status, body: await res.text() };
  };
  assert.deepEqual(await get("/healthz"), { status: 200, body: "ok\n" });
  await waitFor("ready", async () => ((await get("/readyz")).status === 200 ? true : undefined));

  await client.create(configMap(ns, "one"));
  await waitFor(
    "a reconcile",
    when(() => reconciled.includes("one")),
  );
  const metrics = await get("/metrics");
  assert.equal(metrics.status, 200);
  for (const line of [
    /^sluice_reconcile_duration_seconds_bucket\{kind="ConfigMap",le="\+Inf"\} [1-9]\d*$/m,
    /^sluice_reconcile_duration_seconds_count\{kind="ConfigMap"\} [1-9]\d*$/m,
    /^sluice_reconcile_total\{kind="ConfigMap",result="success"\} [1-9]\d*$/m,
    /^sluice_workqueue_depth\{controller="configmap"\} 0$/m,
    /^# TYPE sluice_watch_restarts_total counter$/m,
  ]) {
    assert.match(metrics.body, line);
  }
});

test("shutdown waits for an in-flight reconcile to finish, then the loop stops", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "mgr");
  let started = 0;
  let finishedAt = 0;
  let signalAborted = false;
  const { abort, running, stoppedAt } = startManager(t, client, ns, async (_cm, ctx) => {
    started++;
    await sleep(1500);
    signalAborted = ctx.signal.aborted;
    finishedAt = Date.now();
    return {};
  });
  await client.create(configMap(ns, "slow"));
  await waitFor(
    "the reconcile to start",
    when(() => started === 1),
  );
  abort();
  await running;
  assert.ok(finishedAt > 0, "the in-flight reconcile finished");
  assert.ok(stoppedAt() >= finishedAt, "run resolved only after it");
  assert.equal(signalAborted, false, "a graceful shutdown does not abort the reconcile");

  await client.create(configMap(ns, "after-stop"));
  await sleep(500);
  assert.equal(started, 1, "nothing is reconciled after shutdown");
});

test("past the shutdown deadline an in-flight reconcile's signal is aborted", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "mgr");
  let started = false;
  let sawAbort = false;
  const { abort, running } = startManager(
    t,
    client,
    ns,
    async (_cm, ctx) => {
      started = true;
      await sleep(30_000, undefined, { signal: ctx.signal }).catch(() => (sawAbort = true));
      return {};
    },
    400,
  );
  await client.create(configMap(ns, "stuck"));
  await waitFor(
    "the reconcile to start",
    when(() => started),
  );
  const abortedAt = Date.now();
  abort();
  await running;
  const took = Date.now() - abortedAt;
  assert.ok(took >= 350 && took < 3000, `stopped at the deadline (${took} ms)`);
  await waitFor(
    "the reconcile to see its signal abort",
    when(() => sawAbort),
  );
});

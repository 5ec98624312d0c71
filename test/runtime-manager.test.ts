import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import type { Reconciler } from "../src/runtime/controller.ts";
import { Manager } from "../src/runtime/manager.ts";
import { recordingRunnable } from "./helpers/runnables.ts";
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
  setup: (manager: Manager) => void = () => {},
) {
  const manager = new Manager({ client, health: { host: "127.0.0.1", port: 0 }, shutdownTimeoutMs });
  setup(manager);
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

test("runnables: every replica's start first, leader-only ones with the controllers; all stop in reverse", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "mgr");
  const log: string[] = [];
  const reconcile = (cm: KubeObject) => {
    log.push(`reconcile ${cm.metadata.name}`);
    return Promise.resolve({});
  };
  const { manager, abort, running } = startManager(t, client, ns, reconcile, undefined, (m) => {
    m.add(recordingRunnable("scheduler", log), { leaderOnly: true });
    m.add(recordingRunnable("server", log));
  });
  await manager.whenStarted();
  assert.deepEqual(log, ["start server"], "started before the caches sync");
  await client.create(configMap(ns, "one"));
  await waitFor(
    "a reconcile",
    when(() => log.includes("reconcile one")),
  );
  assert.deepEqual(log.slice(0, 2), ["start server", "start scheduler"]);
  abort();
  await running;
  assert.deepEqual(log.slice(-2), ["stop scheduler", "stop server"]);
});

test("a runnable that cannot start stops the manager with its error", async (t) => {
  const client = await adminClient(t);
  const manager = new Manager({ client });
  manager.add({ name: "broken", start: () => Promise.reject(new Error("address in use")) });
  await assert.rejects(manager.run(new AbortController().signal), /address in use/);
});

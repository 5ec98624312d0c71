import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "../src/kube/client.ts";
import { LeaderElector, type Lease, type LeaderElectionOptions } from "../src/runtime/leader-election.ts";
import { Manager } from "../src/runtime/manager.ts";
import { recordingRunnable } from "./helpers/runnables.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { waitFor } from "./helpers/wait.ts";

/** A synchronous condition as a `waitFor` check. */
const when = (check: () => boolean) => () => Promise.resolve(check() ? true : undefined);

const fast = { leaseDurationSeconds: 3, renewDeadlineMs: 2000, retryPeriodMs: 250 };

async function lease(client: KubeClient, namespace: string): Promise<Lease> {
  return client.get<Lease>("coordination.k8s.io/v1", "Lease", "sluice-test", namespace);
}

/** Another writer takes the lease for a long time: every renewal of its holder now fails. */
async function usurp(client: KubeClient, namespace: string): Promise<void> {
  const current = await lease(client, namespace);
  const path = await client.pathFor("coordination.k8s.io/v1", "Lease", namespace, "sluice-test");
  await client.request("PUT", path, {
    body: { ...current, spec: { ...current.spec, holderIdentity: "usurper", leaseDurationSeconds: 3600 } },
  });
}

/** A manager with leader election whose ConfigMap controller records who reconciled what. */
function startManager(
  t: TestContext,
  client: KubeClient,
  namespace: string,
  identity: string,
  log: string[],
  setup: (manager: Manager) => void = () => {},
) {
  const manager = new Manager({
    client,
    leaderElection: { namespace, name: "sluice-test", identity, ...fast },
    health: { host: "127.0.0.1", port: 0 },
  });
  setup(manager);
  manager.controller({
    name: "configmap",
    apiVersion: "v1",
    kind: "ConfigMap",
    namespace,
    reconcile: (cm) => {
      log.push(`${identity} ${cm.metadata.name}`);
      return Promise.resolve({});
    },
  });
  const controller = new AbortController();
  const running = manager.run(controller.signal);
  const stop = async () => {
    controller.abort();
    await running;
  };
  t.after(stop);
  return { manager, stop };
}

test("of two managers only the leader reconciles; the other takes over when it stops", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "le");
  const log: string[] = [];
  const a = startManager(t, client, ns, "replica-a", log);
  await waitFor(
    "replica-a to lead",
    when(() => a.manager.elector!.isLeader()),
  );
  const b = startManager(t, client, ns, "replica-b", log);
  await waitFor(
    "replica-b to be ready (standing by)",
    when(() => b.manager.isReady()),
  );

  await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "first", namespace: ns } });
  await waitFor(
    "the leader to reconcile",
    when(() => log.includes("replica-a first")),
  );
  await sleep(1000);
  assert.equal(b.manager.elector!.isLeader(), false);
  assert.deepEqual(
    log.filter((l) => l.startsWith("replica-b")),
    [],
    "the standby reconciled nothing",
  );
  const ready = await fetch(`http://127.0.0.1:${b.manager.healthAddress!.port}/readyz`);
  assert.equal(ready.status, 200, "a standby is ready");

  const stoppedAt = Date.now();
  await a.stop();
  assert.equal(
    (await lease(client, ns)).spec?.holderIdentity,
    undefined,
    "the lease was released on shutdown",
  );
  await waitFor(
    "replica-b to lead",
    when(() => b.manager.elector!.isLeader()),
    { timeoutMs: 10_000 },
  );
  assert.ok(
    Date.now() - stoppedAt < fast.leaseDurationSeconds * 1000,
    "a released lease is taken at once, not after expiry",
  );
  await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "second", namespace: ns } });
  await waitFor(
    "the new leader to reconcile",
    when(() => log.includes("replica-b second")),
  );
  const held = await lease(client, ns);
  assert.equal(held.spec?.holderIdentity, "replica-b");
  assert.equal(held.spec?.leaseTransitions, 1);
  assert.ok(!log.some((l) => l.startsWith("replica-a") && l.endsWith("second")));
});

test("a leader-only runnable runs while leading only; the others run on every replica", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "le");
  const events: string[] = [];
  const replica = (identity: string) =>
    startManager(t, client, ns, identity, [], (m) => {
      m.add(recordingRunnable(`${identity} scheduler`, events), { leaderOnly: true });
      m.add(recordingRunnable(`${identity} server`, events));
    });
  const a = replica("replica-a");
  await waitFor(
    "replica-a's scheduler",
    when(() => events.includes("start replica-a scheduler")),
  );
  const b = replica("replica-b");
  await waitFor(
    "replica-b to be ready (standing by)",
    when(() => b.manager.isReady()),
  );
  await sleep(1000);
  assert.ok(events.includes("start replica-b server"), "a standby runs its server");
  assert.ok(!events.includes("start replica-b scheduler"), "a standby runs no leader-only work");

  await a.stop();
  assert.deepEqual(
    events.filter((e) => e.startsWith("stop replica-a")),
    ["stop replica-a scheduler", "stop replica-a server"],
  );
  await waitFor(
    "replica-b's scheduler",
    when(() => events.includes("start replica-b scheduler")),
    { timeoutMs: 10_000 },
  );

  // replica-b loses leadership: it stops its scheduler, not its server
  await usurp(client, ns);
  await waitFor(
    "replica-b's scheduler to stop",
    when(() => events.includes("stop replica-b scheduler")),
    { timeoutMs: 10_000 },
  );
  assert.ok(!events.includes("stop replica-b server"));
});

function elector(
  client: KubeClient,
  namespace: string,
  identity: string,
  extra: Partial<LeaderElectionOptions> = {},
) {
  const state = { leading: false, stopped: 0, leaderSignal: undefined as AbortSignal | undefined };
  const e = new LeaderElector({
    client,
    namespace,
    name: "sluice-test",
    identity,
    ...fast,
    onStartedLeading: async (signal) => {
      state.leading = true;
      state.leaderSignal = signal;
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      state.leading = false;
    },
    onStoppedLeading: () => void state.stopped++,
    ...extra,
  });
  return { e, state };
}

test("a leader that vanishes without releasing is replaced only after the lease expires", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "le");
  const a = elector(client, ns, "crashy", { releaseOnCancel: false });
  const b = elector(client, ns, "standby");
  const stopA = new AbortController();
  const stopB = new AbortController();
  const runA = a.e.run(stopA.signal);
  await waitFor(
    "crashy to lead",
    when(() => a.state.leading),
  );
  const runB = b.e.run(stopB.signal);
  t.after(async () => {
    stopA.abort();
    stopB.abort();
    await Promise.all([runA, runB]);
  });
  await sleep(500);
  stopA.abort();
  await runA;
  const goneAt = Date.now();
  assert.equal((await lease(client, ns)).spec?.holderIdentity, "crashy", "not released");
  await waitFor(
    "the standby to take over",
    when(() => b.state.leading),
    { timeoutMs: 15_000 },
  );
  const waited = Date.now() - goneAt;
  assert.ok(waited >= fast.leaseDurationSeconds * 1000 - 800, `took over after expiry (${waited} ms)`);
  assert.equal((await lease(client, ns)).spec?.leaseTransitions, 1);
});

test("a leader that cannot renew stops leading before another may start", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "le");
  const a = elector(client, ns, "victim");
  const stop = new AbortController();
  const running = a.e.run(stop.signal);
  t.after(async () => {
    stop.abort();
    await running;
  });
  await waitFor(
    "victim to lead",
    when(() => a.state.leading),
  );
  await usurp(client, ns);
  const takenAt = Date.now();
  await waitFor(
    "victim's leader signal to abort",
    when(() => a.state.leaderSignal?.aborted === true),
    { timeoutMs: 10_000 },
  );
  const after = Date.now() - takenAt;
  assert.ok(
    after <= fast.renewDeadlineMs + 2 * fast.retryPeriodMs + 500,
    `gave up within the renew deadline (${after} ms)`,
  );
  await waitFor(
    "onStoppedLeading",
    when(() => a.state.stopped === 1),
  );
  assert.equal(a.e.isLeader(), false);
  assert.equal(
    (await lease(client, ns)).spec?.holderIdentity,
    "usurper",
    "the victim did not release someone else's lease",
  );
});

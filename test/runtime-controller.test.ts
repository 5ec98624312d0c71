import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { getCondition, markReady } from "../src/runtime/conditions.ts";
import { Controller, type ReconcileContext, type ReconcileResult } from "../src/runtime/controller.ts";
import { objectKey, type Informer } from "../src/runtime/informer.ts";
import { Manager, type ManagedControllerOptions } from "../src/runtime/manager.ts";
import {
  kubeStatusWriter,
  withStatusPatch,
  type ReconcileStatus,
  type StatusWriter,
} from "../src/runtime/status-patcher.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { waitFor } from "./helpers/wait.ts";

/** A synchronous condition as a `waitFor` check. */
const when = (check: () => boolean) => () => Promise.resolve(check() ? true : undefined);

const group = "runtime.test.sluice.dev";
const widgetApi = { apiVersion: `${group}/v1`, kind: "Widget" };

interface Widget extends KubeObject {
  spec: { size: number; configMapRef?: string };
  status?: ReconcileStatus & { size?: number };
}

/** A small namespaced CRD with a status subresource and generation, installed once (idempotent). */
async function ensureWidgetCrd(client: KubeClient): Promise<void> {
  const openApi = { type: "object", "x-kubernetes-preserve-unknown-fields": true };
  await client.apply(
    {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: { openAPIV3Schema: { type: "object", properties: { spec: openApi, status: openApi } } },
          },
        ],
      },
    },
    { fieldManager: "sluice-test", force: true },
  );
  await waitFor("the Widget CRD to be served", async () => {
    client.resetDiscovery();
    await client.list(widgetApi.apiVersion, widgetApi.kind, { namespace: "default" });
    return true;
  });
}

const widget = (namespace: string, name: string, spec: Widget["spec"], finalizers?: string[]): Widget => ({
  ...widgetApi,
  metadata: { name, namespace, ...(finalizers ? { finalizers } : {}) },
  spec,
});

const ref = (namespace: string, name: string) => ({ ...widgetApi, name, namespace });

/** Starts a manager with one controller; counts reconciles per key. */
function runController<T extends KubeObject>(
  t: TestContext,
  client: KubeClient,
  options: ManagedControllerOptions<T>,
  setup?: (manager: Manager) => void,
): { manager: Manager; counts: Map<string, number>; stop: () => Promise<void> } {
  const manager = new Manager({ client, shutdownTimeoutMs: 5000 });
  setup?.(manager);
  const counts = new Map<string, number>();
  manager.controller<T>({
    ...options,
    reconcile: async (obj, ctx) => {
      counts.set(ctx.key, (counts.get(ctx.key) ?? 0) + 1);
      return options.reconcile(obj, ctx);
    },
  });
  const controller = new AbortController();
  const running = manager.run(controller.signal);
  const stop = async () => {
    controller.abort();
    await running;
  };
  t.after(stop);
  return { manager, counts, stop };
}

/** Waits until a count stops changing for `quietMs`, and returns it. */
async function settled(read: () => number, quietMs = 1000): Promise<number> {
  let last = read();
  for (;;) {
    await sleep(quietMs);
    if (read() === last) return last;
    last = read();
  }
}

test("a controller reconciles ConfigMaps as they change", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "ctl");
  const reconcile = async (
    cm: KubeObject & { data?: Record<string, string> },
    ctx: ReconcileContext,
  ): Promise<ReconcileResult> => {
    const n = cm.data?.["n"] ?? "";
    if (cm.metadata.annotations?.["runtime.test/seen"] !== n) {
      await ctx.client.patch(
        { apiVersion: "v1", kind: "ConfigMap", name: cm.metadata.name!, namespace: ns },
        { metadata: { annotations: { "runtime.test/seen": n } } },
      );
    }
    return {};
  };
  const { counts } = runController(t, client, {
    name: "configmap",
    apiVersion: "v1",
    kind: "ConfigMap",
    namespace: ns,
    labelSelector: "app=sluice-controller-test",
    reconcile,
  });
  const seen = async () =>
    (await client.get("v1", "ConfigMap", "c", ns)).metadata.annotations?.["runtime.test/seen"];

  await client.create({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c", namespace: ns, labels: { app: "sluice-controller-test" } },
    data: { n: "1" },
  });
  await waitFor("the first reconcile", async () => ((await seen()) === "1" ? true : undefined));
  await client.patch({ apiVersion: "v1", kind: "ConfigMap", name: "c", namespace: ns }, { data: { n: "2" } });
  await waitFor("the change to be reconciled", async () => ((await seen()) === "2" ? true : undefined));
  const stable = await settled(() => counts.get(`${ns}/c`) ?? 0);
  assert.ok(stable >= 2 && stable <= 4, `a handful of reconciles, no loop (${stable})`);
});

test("status patches do not loop; generation and requestedAt trigger; requestedAt is echoed", async (t) => {
  const client = await adminClient(t);
  await ensureWidgetCrd(client);
  const ns = await testNamespace(t, client, "ctl");
  let patches = 0;
  const kubeWriter = kubeStatusWriter(client);
  const writer: StatusWriter = {
    patchStatus: async (r, p) => {
      patches++;
      await kubeWriter.patchStatus(r, p);
    },
  };
  const reconcile = (w: Widget) =>
    withStatusPatch(w, writer, (status: NonNullable<Widget["status"]>) => {
      status.size = w.spec.size;
      status.conditions = markReady(status.conditions, {
        reason: "Succeeded",
        message: `size ${w.spec.size}`,
        observedGeneration: w.metadata.generation!,
      });
      return {};
    });
  const { counts } = runController<Widget>(t, client, {
    name: "widget",
    ...widgetApi,
    namespace: ns,
    reconcile,
  });
  const key = `${ns}/w`;
  const read = () => client.get<Widget>(widgetApi.apiVersion, widgetApi.kind, "w", ns);

  await client.create(widget(ns, "w", { size: 1 }));
  await waitFor("Ready at generation 1", async () =>
    (await read()).status?.observedGeneration === 1 ? true : undefined,
  );
  assert.equal(
    await settled(() => counts.get(key) ?? 0),
    1,
    "our own status patch does not cause another reconcile",
  );
  assert.equal(patches, 1);
  const first = await read();
  assert.equal(getCondition(first.status?.conditions, "Ready")?.message, "size 1");

  await client.patch(ref(ns, "w"), { metadata: { labels: { team: "x" } } });
  await sleep(700);
  assert.equal(counts.get(key), 1, "a metadata-only change of a kind with generation does not reconcile");

  await client.patch(ref(ns, "w"), { spec: { size: 2 } });
  await waitFor("generation 2 reconciled", async () =>
    (await read()).status?.observedGeneration === 2 ? true : undefined,
  );
  assert.equal(await settled(() => counts.get(key) ?? 0), 2);
  const readyAt = (w: Widget) => getCondition(w.status?.conditions, "Ready")?.lastTransitionTime;
  const second = await read();
  assert.equal(getCondition(second.status?.conditions, "Ready")?.message, "size 2");
  await sleep(1100); // transition times have seconds precision: a wrongly moved one would now differ

  await client.patch(ref(ns, "w"), {
    metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": "2025-01-01T00:00:00Z" } },
  });
  await waitFor("the request to be echoed", async () =>
    (await read()).status?.lastHandledReconcileAt === "2025-01-01T00:00:00Z" ? true : undefined,
  );
  assert.equal(await settled(() => counts.get(key) ?? 0), 3, "one reconcile per request");
  assert.equal(patches, 3, "a reconcile that changed nothing but the echo wrote one patch; none wrote two");
  assert.equal(readyAt(await read()), readyAt(second), "the same outcome again keeps the transition time");
});

test("a failing reconcile backs off and recovers; a result requeues at its interval", async (t) => {
  const client = await adminClient(t);
  await ensureWidgetCrd(client);
  const ns = await testNamespace(t, client, "ctl");
  const times: number[] = [];
  const reconcile = async (): Promise<ReconcileResult> => {
    times.push(Date.now());
    await Promise.resolve();
    if (times.length <= 3) throw new Error(`transient failure ${times.length}`);
    return { requeueAfterMs: 400 };
  };
  const { manager } = runController<Widget>(t, client, {
    name: "flaky",
    ...widgetApi,
    namespace: ns,
    reconcile,
    backoff: { baseMs: 100, maxMs: 10_000 },
  });
  await client.create(widget(ns, "w", { size: 1 }));
  await waitFor(
    "three failures, then periodic successes",
    when(() => times.length >= 7),
    { timeoutMs: 20_000 },
  );
  const gaps = times.slice(1).map((x, i) => x - times[i]!);
  assert.ok(gaps[0]! >= 90 && gaps[1]! >= 190 && gaps[2]! >= 390, `backoff grows: ${gaps.join(", ")}`);
  for (const gap of gaps.slice(3))
    assert.ok(gap >= 350 && gap < 1500, `interval requeue with jitter: ${gaps.join(", ")}`);
  assert.equal(manager.metrics.reconcileTotal.get({ kind: "Widget", result: "error" }), 3);
  assert.ok(manager.metrics.reconcileTotal.get({ kind: "Widget", result: "success" }) >= 3);
});

test("a watched kind maps to the objects that reference it, through an index", async (t) => {
  const client = await adminClient(t);
  await ensureWidgetCrd(client);
  const ns = await testNamespace(t, client, "ctl");
  const reconciledWith = new Map<string, string>();
  let widgets!: Informer<Widget>;
  const { counts } = runController<Widget>(
    t,
    client,
    {
      name: "widget-refs",
      ...widgetApi,
      namespace: ns,
      reconcile: async (w) => {
        const name = w.spec.configMapRef;
        const cm = name
          ? await client
              .get<KubeObject & { data?: Record<string, string> }>("v1", "ConfigMap", name, ns)
              .catch(() => undefined)
          : undefined;
        reconciledWith.set(w.metadata.name!, cm?.data?.["v"] ?? "none");
        return {};
      },
      watches: [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          namespace: ns,
          map: (cm) =>
            widgets.byIndex("configMapRef", `${cm.metadata.namespace}/${cm.metadata.name}`).map(objectKey),
        },
      ],
    },
    (manager) => {
      // the primary informer, shared: an index from a referenced ConfigMap to the widgets using it
      widgets = manager.informers.informer<Widget>({ ...widgetApi, namespace: ns });
      widgets.addIndex("configMapRef", (w) =>
        w.spec.configMapRef ? [`${w.metadata.namespace}/${w.spec.configMapRef}`] : [],
      );
    },
  );

  await client.create(widget(ns, "uses", { size: 1, configMapRef: "settings" }));
  await client.create(widget(ns, "other", { size: 1 }));
  await waitFor(
    "both reconciled",
    when(() => reconciledWith.size === 2),
  );
  await client.create({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "settings", namespace: ns },
    data: { v: "1" },
  });
  await waitFor(
    "the referencing widget to see the ConfigMap",
    when(() => reconciledWith.get("uses") === "1"),
  );
  await client.patch(
    { apiVersion: "v1", kind: "ConfigMap", name: "settings", namespace: ns },
    { data: { v: "2" } },
  );
  await waitFor(
    "the change to reach it",
    when(() => reconciledWith.get("uses") === "2"),
  );
  assert.equal(counts.get(`${ns}/other`), 1, "an unrelated widget is not reconciled");
});

test("a deletion with a finalizer is reconciled; a deleted object is not", async (t) => {
  const client = await adminClient(t);
  await ensureWidgetCrd(client);
  const ns = await testNamespace(t, client, "ctl");
  const finalizer = "runtime.test.sluice.dev/cleanup";
  const deletions: string[] = [];
  const { counts } = runController<Widget>(t, client, {
    name: "widget-finalizer",
    ...widgetApi,
    namespace: ns,
    reconcile: async (w) => {
      if (w.metadata.deletionTimestamp) {
        deletions.push(w.metadata.name!);
        await client.patch(ref(ns, w.metadata.name!), { metadata: { finalizers: null } });
      }
      return {};
    },
  });
  await client.create(widget(ns, "w", { size: 1 }, [finalizer]));
  await waitFor(
    "the first reconcile",
    when(() => (counts.get(`${ns}/w`) ?? 0) > 0),
  );
  await client.delete(widgetApi.apiVersion, widgetApi.kind, "w", ns);
  await waitFor(
    "the object to be gone",
    async () =>
      await client.get(widgetApi.apiVersion, widgetApi.kind, "w", ns).then(
        () => undefined,
        () => true,
      ),
  );
  assert.deepEqual(deletions, ["w"]);
  assert.equal(
    await settled(() => counts.get(`${ns}/w`) ?? 0, 700),
    2,
    "creation and deletion, nothing after the object is gone",
  );
});

test("a controller runs on its own (its own informers), and its loop stops on abort", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "ctl");
  const reconciled: string[] = [];
  const controller = new Controller({
    name: "standalone",
    apiVersion: "v1",
    kind: "ConfigMap",
    namespace: ns,
    labelSelector: "app=standalone",
    client,
    reconcile: (cm) => {
      reconciled.push(cm.metadata.name!);
      return Promise.resolve({});
    },
  });
  const stop = new AbortController();
  const running = controller.run(stop.signal);
  t.after(() => stop.abort());
  await client.create({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "x", namespace: ns, labels: { app: "standalone" } },
  });
  await waitFor(
    "a reconcile",
    when(() => reconciled.includes("x")),
  );
  const abortedAt = Date.now();
  stop.abort();
  await running;
  assert.ok(Date.now() - abortedAt < 1000, "run resolved promptly");
  assert.ok(controller.informer.hasSynced());
  await client.create({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "y", namespace: ns, labels: { app: "standalone" } },
  });
  await sleep(500);
  assert.deepEqual(reconciled, ["x"], "nothing after the loop stopped");
});

import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { Informer, objectKey, type InformerOptions } from "../src/runtime/informer.ts";
import { RuntimeMetrics } from "../src/runtime/metrics.ts";
import { startCuttableProxy } from "./helpers/apiserver.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { waitFor } from "./helpers/wait.ts";

/** A synchronous condition as a `waitFor` check. */
const when = (check: () => boolean) => () => Promise.resolve(check() ? true : undefined);

const selector = "app=sluice-informer-test";
const labels = { app: "sluice-informer-test" };

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

function configMap(
  namespace: string,
  name: string,
  data: Record<string, string> = {},
  extra: Record<string, string> = {},
): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, labels: { ...labels, ...extra } },
    data,
  };
}

/** What the handlers told: a cache rebuilt only from callbacks, and the order of values per key. */
class HandlerView {
  readonly objects = new Map<string, ConfigMap>();
  readonly values = new Map<string, number[]>();
  readonly log: string[] = [];
  constructor(informer: Informer<ConfigMap>) {
    informer.addHandler({
      onAdd: (o) => this.#record("add", o),
      onUpdate: (_old, o) => this.#record("update", o),
      onDelete: (o) => {
        this.log.push(`delete ${o.metadata.name}`);
        this.objects.delete(objectKey(o));
      },
    });
  }
  #record(what: string, o: ConfigMap): void {
    this.log.push(`${what} ${o.metadata.name}`);
    this.objects.set(objectKey(o), o);
    const n = Number(o.data?.["n"]);
    if (!Number.isNaN(n)) this.values.set(objectKey(o), [...(this.values.get(objectKey(o)) ?? []), n]);
  }
}

async function runInformer(
  t: TestContext,
  client: KubeClient,
  options: Partial<InformerOptions> & { namespace: string },
): Promise<{
  informer: Informer<ConfigMap>;
  view: HandlerView;
  metrics: RuntimeMetrics;
  stop: () => Promise<void>;
}> {
  const metrics = new RuntimeMetrics();
  const informer = new Informer<ConfigMap>(client, {
    apiVersion: "v1",
    kind: "ConfigMap",
    labelSelector: selector,
    metrics,
    ...options,
  });
  const view = new HandlerView(informer);
  const controller = new AbortController();
  const running = informer.run(controller.signal);
  const stop = async () => {
    controller.abort();
    await running;
  };
  t.after(stop);
  assert.equal(await informer.waitForSync(AbortSignal.timeout(30_000)), true, "the informer syncs");
  return { informer, view, metrics, stop };
}

/** The cluster's current objects as `key → resourceVersion`, for comparing with a cache. */
async function clusterVersions(client: KubeClient, namespace: string): Promise<Map<string, string>> {
  const list = await client.list<ConfigMap>("v1", "ConfigMap", { namespace, labelSelector: selector });
  return new Map(list.items.map((o) => [objectKey(o), o.metadata.resourceVersion ?? ""]));
}

function versions(objects: Iterable<ConfigMap>): Map<string, string> {
  return new Map([...objects].map((o) => [objectKey(o), o.metadata.resourceVersion ?? ""]));
}

async function assertConverged(
  client: KubeClient,
  namespace: string,
  view: HandlerView,
  informer: Informer<ConfigMap>,
) {
  const expected = await clusterVersions(client, namespace);
  await waitFor(
    "the handlers to see exactly the cluster's objects",
    when(
      () =>
        JSON.stringify([...versions(view.objects.values())].sort()) === JSON.stringify([...expected].sort()),
    ),
    {
      timeoutMs: 30_000,
      describe: () =>
        Promise.resolve(
          `cluster ${JSON.stringify([...expected])} handlers ${JSON.stringify([...versions(view.objects.values())])}`,
        ),
    },
  );
  assert.deepEqual(versions(informer.list()), expected, "the informer's store matches the cluster");
}

test("an informer lists in pages, then sees ConfigMaps added, updated and deleted", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "inf");
  for (let i = 0; i < 5; i++)
    await client.create(configMap(ns, `cm-${i}`, { n: "0" }, { team: i % 2 ? "a" : "b" }));
  await client.create({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "unlabelled", namespace: ns },
    data: {},
  });

  const { informer, view } = await runInformer(t, client, { namespace: ns, pageSize: 2 });
  informer.addIndex("team", (o) => (o.metadata.labels?.["team"] ? [o.metadata.labels["team"]] : []));
  assert.ok(informer.hasSynced());
  assert.deepEqual(
    informer.keys().sort(),
    [0, 1, 2, 3, 4].map((i) => `${ns}/cm-${i}`),
    "five objects across three pages, selector applied",
  );
  assert.equal(informer.get(`${ns}/cm-0`)?.kind, "ConfigMap", "listed items carry apiVersion and kind");
  assert.deepEqual(
    informer
      .byIndex("team", "a")
      .map((o) => o.metadata.name)
      .sort(),
    ["cm-1", "cm-3"],
  );

  await client.create(configMap(ns, "cm-new", { n: "1" }, { team: "a" }));
  await client.patch(
    { apiVersion: "v1", kind: "ConfigMap", name: "cm-0", namespace: ns },
    { data: { n: "7" } },
  );
  await client.delete("v1", "ConfigMap", "cm-1", ns);
  await waitFor(
    "add, update and delete",
    when(() => ["add cm-new", "update cm-0", "delete cm-1"].every((l) => view.log.includes(l))),
  );
  assert.equal(informer.get(`${ns}/cm-0`)?.data?.["n"], "7");
  assert.equal(informer.get(`${ns}/cm-1`), undefined);
  assert.deepEqual(
    informer
      .byIndex("team", "a")
      .map((o) => o.metadata.name)
      .sort(),
    ["cm-3", "cm-new"],
    "the index follows",
  );
  await assertConverged(client, ns, view, informer);
});

test("watches the server ends every second lose no update", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "inf");
  await client.create(configMap(ns, "counter", { n: "0" }));
  const { informer, view, metrics } = await runInformer(t, client, { namespace: ns, watchTimeoutSeconds: 1 });

  for (let n = 1; n <= 30; n++) {
    await client.patch(
      { apiVersion: "v1", kind: "ConfigMap", name: "counter", namespace: ns },
      { data: { n: String(n) } },
    );
    await sleep(80);
  }
  await waitFor(
    "the last update",
    when(() => informer.get(`${ns}/counter`)?.data?.["n"] === "30"),
  );
  const seen = view.values.get(`${ns}/counter`) ?? [];
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => a - b),
    "updates arrive in order",
  );
  assert.equal(seen.at(-1), 30);
  assert.ok(seen.length >= 25, `nearly every update is delivered individually (${seen.length})`);
  assert.ok(metrics.watchRestarts.get({ kind: "ConfigMap" }) >= 2, "the watch was re-established");
  await assertConverged(client, ns, view, informer);
});

test("connections cut in the middle of a watch lose no update", async (t) => {
  const admin = await adminClient(t);
  const ns = await testNamespace(t, admin, "inf");
  const proxy = await startCuttableProxy(t, admin.access);
  const viaProxy = new KubeClient(proxy.access);
  t.after(() => viaProxy.close());
  await admin.create(configMap(ns, "counter", { n: "0" }));
  const { informer, view, metrics } = await runInformer(t, viaProxy, {
    namespace: ns,
    backoff: { baseMs: 50, maxMs: 500 },
  });

  for (let n = 1; n <= 20; n++) {
    await admin.patch(
      { apiVersion: "v1", kind: "ConfigMap", name: "counter", namespace: ns },
      { data: { n: String(n) } },
    );
    if (n % 4 === 0) {
      await admin.create(configMap(ns, `born-${n}`));
      if (n > 4) await admin.delete("v1", "ConfigMap", `born-${n - 4}`, ns);
      proxy.cut();
    }
    await sleep(60);
  }
  await waitFor(
    "the last update",
    when(() => informer.get(`${ns}/counter`)?.data?.["n"] === "20"),
  );
  const seen = view.values.get(`${ns}/counter`) ?? [];
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => a - b),
    "updates arrive in order",
  );
  assert.ok(metrics.watchRestarts.get({ kind: "ConfigMap" }) >= 3, "each cut re-established the watch");
  await assertConverged(admin, ns, view, informer);
  assert.ok(view.log.includes("delete born-12"), "a deletion made around a cut is delivered");
});

test("the periodic resync catches changes a stalled watch never delivered", async (t) => {
  const admin = await adminClient(t);
  const ns = await testNamespace(t, admin, "inf");
  const proxy = await startCuttableProxy(t, admin.access);
  const viaProxy = new KubeClient(proxy.access);
  t.after(() => viaProxy.close());
  await admin.create(configMap(ns, "a", { n: "0" }));
  await admin.create(configMap(ns, "b", { n: "0" }));
  const resyncMs = 2500;
  const { informer, view } = await runInformer(t, viaProxy, { namespace: ns, resyncMs });
  const syncedAt = Date.now();
  await sleep(200);
  // the list's connections (HTTP/1.1: discovery and list may take one each) were opened first,
  // the watch's last; only the watch stalls
  assert.ok(proxy.freezeLatest() >= 2, "list connections and a watch connection are open");

  await admin.patch({ apiVersion: "v1", kind: "ConfigMap", name: "a", namespace: ns }, { data: { n: "1" } });
  await admin.delete("v1", "ConfigMap", "b", ns);
  await admin.create(configMap(ns, "c", { n: "0" }));
  await sleep(800);
  assert.equal(informer.get(`${ns}/a`)?.data?.["n"], "0", "the stalled watch delivered nothing");

  await waitFor(
    "the resync",
    when(() => informer.get(`${ns}/a`)?.data?.["n"] === "1"),
    {
      timeoutMs: 10_000,
    },
  );
  assert.ok(Date.now() - syncedAt >= resyncMs * 0.85, "it was the resync that caught up");
  assert.ok(
    view.log.includes("update a") && view.log.includes("delete b") && view.log.includes("add c"),
    view.log.join(", "),
  );
  await assertConverged(admin, ns, view, informer);
});

test("an informer's run ends promptly when aborted, even with a watch open", async (t) => {
  const client = await adminClient(t);
  const ns = await testNamespace(t, client, "inf");
  const { stop } = await runInformer(t, client, { namespace: ns, watchTimeoutSeconds: 600 });
  await sleep(300);
  const started = Date.now();
  await stop();
  assert.ok(Date.now() - started < 1000, `stopped in ${Date.now() - started} ms`);
});

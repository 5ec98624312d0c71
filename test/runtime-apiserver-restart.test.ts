import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test, type TestContext } from "node:test";
import { KubeClient } from "../src/kube/client.ts";
import type { KubeObject } from "../src/kube/objects.ts";
import { Informer, objectKey } from "../src/runtime/informer.ts";
import { createLogger } from "../src/runtime/logger.ts";
import { RuntimeMetrics } from "../src/runtime/metrics.ts";
import { startPrivateApiServer } from "./helpers/apiserver.ts";
import { adminClient, testNamespace } from "./helpers/kube.ts";
import { waitFor } from "./helpers/wait.ts";

/** A synchronous condition as a `waitFor` check. */
const when = (check: () => boolean) => () => Promise.resolve(check() ? true : undefined);

interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

const cm = (namespace: string, name: string, n: string): ConfigMap => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data: { n },
});

/** Log lines as parsed JSON, to see which path the informer took. */
function capturedLogs(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split("\n"))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

/** A ConfigMap informer of one namespace that records what its handlers hear, with debug logs captured. */
function runInformer(t: TestContext, client: KubeClient, namespace: string) {
  const logs = capturedLogs();
  const metrics = new RuntimeMetrics();
  const informer = new Informer<ConfigMap>(client, {
    apiVersion: "v1",
    kind: "ConfigMap",
    namespace,
    fieldSelector: "metadata.name!=kube-root-ca.crt",
    metrics,
    backoff: { baseMs: 100, maxMs: 1000 },
    logger: createLogger({ level: "debug", destination: logs.stream }),
  });
  const seen: string[] = [];
  informer.addHandler({
    onAdd: (o) => seen.push(`add ${o.metadata.name} ${o.data?.["n"]}`),
    onUpdate: (_old, o) => seen.push(`update ${o.metadata.name} ${o.data?.["n"]}`),
    onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
  });
  const stop = new AbortController();
  const running = informer.run(stop.signal);
  t.after(async () => {
    stop.abort();
    await running;
  });
  return { informer, seen, metrics, logs };
}

test("an informer recovers after a kube-apiserver restart and loses no update", async (t) => {
  const admin = await adminClient(t);
  const ns = await testNamespace(t, admin, "restart");
  const apiserver = await startPrivateApiServer(t);
  const client = new KubeClient(apiserver.access);
  t.after(() => client.close());
  for (const name of ["keep", "change", "remove"]) await admin.create(cm(ns, name, "0"));

  const { informer, seen, metrics, logs } = runInformer(t, client, ns);
  assert.ok(await informer.waitForSync(AbortSignal.timeout(30_000)));
  assert.deepEqual(informer.keys().sort(), [`${ns}/change`, `${ns}/keep`, `${ns}/remove`]);

  await apiserver.kill();
  // made through the main API server while ours is down: no watch of ours can deliver these
  await admin.patch(
    { apiVersion: "v1", kind: "ConfigMap", name: "change", namespace: ns },
    { data: { n: "1" } },
  );
  await admin.delete("v1", "ConfigMap", "remove", ns);
  await admin.create(cm(ns, "born-while-down", "0"));
  await apiserver.start();
  // made right after the restart
  await admin.patch(
    { apiVersion: "v1", kind: "ConfigMap", name: "keep", namespace: ns },
    { data: { n: "2" } },
  );
  await admin.create(cm(ns, "born-after", "0"));

  await waitFor(
    "the informer to catch up",
    when(() => !!informer.get(`${ns}/born-after`) && informer.get(`${ns}/keep`)?.data?.["n"] === "2"),
    {
      timeoutMs: 30_000,
      describe: () => Promise.resolve(seen.join("; ")),
    },
  );
  for (const event of [
    "update change 1",
    "delete remove",
    "add born-while-down 0",
    "update keep 2",
    "add born-after 0",
  ]) {
    assert.ok(seen.includes(event), `missing "${event}" in: ${seen.join("; ")}`);
  }
  const cluster = await admin.list<ConfigMap>("v1", "ConfigMap", {
    namespace: ns,
    fieldSelector: "metadata.name!=kube-root-ca.crt",
  });
  assert.deepEqual(
    informer
      .list()
      .map((o) => [objectKey(o), o.metadata.resourceVersion])
      .sort(),
    cluster.items.map((o) => [objectKey(o), o.metadata.resourceVersion]).sort(),
  );
  assert.ok(metrics.watchRestarts.get({ kind: "ConfigMap" }) >= 1);
  const messages = logs.lines.map((l) => l["msg"]);
  assert.ok(messages.includes("list/watch failed; retrying"), "the outage was seen as failures and retried");
  assert.ok(
    messages.includes("watch expired; listing again"),
    "the new API server's watch cache sent 410 Gone: relisted",
  );
});

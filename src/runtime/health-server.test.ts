import assert from "node:assert/strict";
import { test } from "node:test";
import { HealthServer } from "./health-server.ts";
import { RuntimeMetrics } from "./metrics.ts";

test("healthz, readyz with named failing checks, metrics, and 404", async (t) => {
  const metrics = new RuntimeMetrics();
  metrics.watchRestarts.inc({ kind: "GitRepository" });
  const server = new HealthServer({ registry: metrics.registry });
  let synced = false;
  server.addReadyCheck("informers", () => synced);
  server.addReadyCheck("broken", () => {
    throw new Error("a throwing check is simply not ready");
  });
  const { port } = await server.start({ host: "127.0.0.1", port: 0 });
  t.after(() => server.close());
  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: await res.text(), type: res.headers.get("content-type") };
  };

  assert.deepEqual(await get("/healthz"), { status: 200, body: "ok\n", type: "text/plain; charset=utf-8" });
  const notReady = await get("/readyz");
  assert.equal(notReady.status, 503);
  assert.equal(notReady.body, "[-]informers not ready\n[-]broken not ready\n");

  synced = true;
  server.addReadyCheck("broken", () => true);
  assert.equal((await get("/readyz")).status, 200);

  const m = await get("/metrics");
  assert.equal(m.status, 200);
  assert.equal(m.type, "text/plain; version=0.0.4; charset=utf-8");
  assert.match(m.body, /^sluice_watch_restarts_total\{kind="GitRepository"\} 1$/m);
  assert.equal((await get("/nope")).status, 404);
  const post = await fetch(`http://127.0.0.1:${port}/healthz`, { method: "POST" });
  assert.equal(post.status, 405);
  await post.text();
});

test("close stops listening and can be called twice", async () => {
  const server = new HealthServer({ registry: new RuntimeMetrics().registry });
  const { port } = await server.start({ host: "127.0.0.1", port: 0 });
  await server.close();
  await server.close();
  await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
});

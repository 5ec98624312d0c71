import assert from "node:assert/strict";
import { connect } from "node:net";
import { Writable } from "node:stream";
import { describe, it, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { readBody, sendPayloadTooLarge } from "./body.ts";
import { sendText } from "./respond.ts";
import { Router } from "./router.ts";
import { HttpServer, type HttpServerOptions } from "./server.ts";

async function serve(t: TestContext, router: Router, options: Partial<HttpServerOptions> = {}) {
  const server = new HttpServer({ name: "test", router, ...options });
  await server.listen();
  t.after(() => server.close());
  return server;
}

/** A logger whose lines land in `lines`, parsed. */
function capturingLogger(lines: Record<string, unknown>[]) {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return pino({ level: "debug" }, destination);
}

/** Writes `raw` on a fresh connection and resolves with everything the server sent until it closed. */
function rawExchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(raw));
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
  });
}

describe("Router", () => {
  const router = new Router()
    .on(["GET", "HEAD"], "/builds/:id", ({ res, params }) => sendText(res, 200, `build ${params["id"]}`))
    .on("POST", "/builds", ({ res }) => sendText(res, 201, "created"));

  it("routes by method and path, with decoded parameters, ignoring the query", async (t) => {
    const server = await serve(t, router);
    const res = await fetch(`${server.url}/builds/a%20b?token=x`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "build a b\n");
    assert.equal((await fetch(`${server.url}/builds`, { method: "POST" })).status, 201);
  });

  it("answers 405 with Allow for a path served under other methods, 404 for an unknown path", async (t) => {
    const server = await serve(t, router);
    const wrong = await fetch(`${server.url}/builds/1`, { method: "DELETE" });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "GET, HEAD");
    assert.equal(await wrong.text(), "method not allowed\n");
    const missing = await fetch(`${server.url}/nothing`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), "not found\n");
  });

  it("adds its headers to its own answers", async (t) => {
    const server = await serve(t, new Router({ headers: { "Cache-Control": "no-store" } }));
    const res = await fetch(`${server.url}/x`);
    assert.equal(res.headers.get("cache-control"), "no-store");
    await res.text();
  });
});

describe("HttpServer: addresses, errors, limits, logs", () => {
  it("reports the bound address when asked for port 0", async (t) => {
    const server = await serve(t, new Router());
    assert.ok(server.address!.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.address!.port}`);
  });

  it("answers 500 when a handler throws, without the error", async (t) => {
    const router = new Router().on("GET", "/", () => {
      throw new Error("secret detail");
    });
    const res = await fetch((await serve(t, router)).url);
    assert.equal(res.status, 500);
    assert.equal(await res.text(), "internal error\n");
  });

  it("rejects a body over the limit with 413 and closes the connection", async (t) => {
    const router = new Router().on("POST", "/", async ({ req, res }) => {
      const body = await readBody(req, 10);
      if (body === "too-large") sendPayloadTooLarge(req, res);
      else if (body !== "aborted") sendText(res, 200, `${body.length} bytes`);
    });
    const server = await serve(t, router);
    const small = await fetch(server.url, { method: "POST", body: "0123456789" });
    assert.equal(await small.text(), "10 bytes\n");
    const declared = await fetch(server.url, { method: "POST", body: "x".repeat(11) });
    assert.equal(declared.status, 413);
    assert.equal(declared.headers.get("connection"), "close");
    await declared.text();
    // chunked, so the size is only known while reading
    const answer = await rawExchange(
      server.address!.port,
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n",
    );
    assert.match(answer, /^HTTP\/1\.1 413 /);
  });

  it("drops a client that does not finish its headers in time", async (t) => {
    const server = await serve(t, new Router(), { limits: { headersTimeoutMs: 200 } });
    const started = Date.now();
    const answer = await rawExchange(server.address!.port, "GET / HTTP/1.1\r\nHost: x\r\n");
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - started < 5_000);
  });

  it("logs method, path without query, status and duration; redacted paths stay redacted", async (t) => {
    const lines: Record<string, unknown>[] = [];
    const router = new Router().on("POST", "/hook/:digest", ({ res }) => sendText(res, 200, "ok"));
    const server = await serve(t, router, {
      logger: capturingLogger(lines),
      redactPath: (path) => path.replace(/^\/hook\/.*/, "/hook/<redacted>"),
    });
    const secret = "f00dfeed".repeat(8);
    await (
      await fetch(`${server.url}/hook/${secret}?token=hunter2`, { method: "POST", body: "body-text" })
    ).text();
    await (await fetch(`${server.url}/other?token=hunter2`)).text();
    await server.close();
    const access = lines.filter((l) => l["msg"] === "http request");
    assert.deepEqual(
      access.map(({ method, path, status }) => ({ method, path, status })),
      [
        { method: "POST", path: "/hook/<redacted>", status: 200 },
        { method: "GET", path: "/other", status: 404 },
      ],
    );
    assert.ok(access.every((l) => typeof l["durationMs"] === "number"));
    const all = JSON.stringify(lines);
    for (const leak of [secret, "hunter2", "body-text"]) assert.ok(!all.includes(leak), leak);
  });
});

describe("HttpServer: closing", () => {
  it("closing lets a request in flight finish and refuses new connections", async (t) => {
    let release = (): void => undefined;
    const router = new Router().on("GET", "/slow", async ({ res }) => {
      await new Promise<void>((resolve) => (release = resolve));
      sendText(res, 200, "finished");
    });
    const server = await serve(t, router);
    const slow = fetch(`${server.url}/slow`);
    await sleep(100);
    const url = server.url;
    const closed = server.close();
    await sleep(50);
    await assert.rejects(fetch(`${url}/slow`));
    release();
    const res = await slow;
    assert.equal(await res.text(), "finished\n");
    await closed;
  });

  it("closing ends requests still running at the deadline, then drains", async (t) => {
    const router = new Router().on("GET", "/", () => new Promise((r) => setTimeout(r, 60_000).unref()));
    let drained = false;
    const server = await serve(t, router, {
      shutdownTimeoutMs: 200,
      drain: () => {
        drained = true;
        return Promise.resolve();
      },
    });
    const hanging = fetch(server.url);
    await sleep(100);
    const started = Date.now();
    await server.close();
    assert.ok(Date.now() - started < 5_000);
    assert.ok(drained);
    await assert.rejects(hanging);
  });

  it("tells long-lived handlers that it is closing", async (t) => {
    const router = new Router().on("GET", "/events", async ({ res, closing }) => {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      res.write("data: hello\n\n");
      await new Promise((resolve) => closing.addEventListener("abort", resolve, { once: true }));
      res.end();
    });
    const server = await serve(t, router, { shutdownTimeoutMs: 60_000 });
    const res = await fetch(`${server.url}/events`);
    const started = Date.now();
    await server.close();
    assert.equal(await res.text(), "data: hello\n\n");
    assert.ok(Date.now() - started < 5_000);
  });

  it("as a runnable listens on start and closes when the signal aborts", async () => {
    const server = new HttpServer({ name: "runnable", router: new Router() });
    const stop = new AbortController();
    const { done } = await server.start(stop.signal);
    const url = server.url;
    assert.equal((await fetch(url)).status, 404);
    stop.abort();
    await done;
    await assert.rejects(fetch(url));
    // and again, as a leader-only runnable is when leadership comes back
    const again = new AbortController();
    const second = await server.start(again.signal);
    assert.equal((await fetch(server.url)).status, 404);
    again.abort();
    await second.done;
  });
});

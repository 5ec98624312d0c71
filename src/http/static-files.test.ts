import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { get } from "node:http";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, test } from "node:test";
import { Router } from "./router.ts";
import { HttpServer } from "./server.ts";
import { singlePageApp } from "./static-files.ts";

let dir: string;
let server: HttpServer;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "spa-"));
  await mkdir(path.join(dir, "assets"));
  await writeFile(path.join(dir, "index.html"), "<!doctype html><title>app</title>");
  await writeFile(path.join(dir, "assets", "main-abc123.js"), "console.log('app');".repeat(50));
  const router = new Router();
  router.on("GET", "/api/v1/info", ({ res }) => void res.end("{}"));
  await singlePageApp(router, { dir, reserved: ["/api/"], missing: "not built" });
  server = new HttpServer({ name: "spa", router });
  await server.listen();
});

after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test("client-side routes get index.html, never cached; the API's own routes and 404s stay the API's", async () => {
  for (const route of ["/", "/builds/12", "/teams/main/pipelines/app"]) {
    const res = await fetch(`${server.url}${route}`);
    assert.equal(res.status, 200, route);
    assert.equal(res.headers.get("cache-control"), "no-cache");
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    assert.equal(await res.text(), "<!doctype html><title>app</title>");
  }
  assert.equal(await (await fetch(`${server.url}/api/v1/info`)).text(), "{}");
  assert.equal((await fetch(`${server.url}/api/v1/nope`)).status, 404);
});

test("fingerprinted assets are cached for good and gzipped for clients that take it", async () => {
  const res = await fetch(`${server.url}/assets/main-abc123.js`, {
    headers: { "Accept-Encoding": "identity" },
  });
  assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.equal(res.headers.get("content-encoding"), null);
  assert.equal((await res.text()).length, 19 * 50);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    get(`${server.url}/assets/main-abc123.js`, { headers: { "Accept-Encoding": "gzip" } }, (r) => {
      assert.equal(r.headers["content-encoding"], "gzip");
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks)));
    }).on("error", reject);
  });
  assert.ok(raw.length < 19 * 50, "compressed");
  assert.equal(gunzipSync(raw).toString(), "console.log('app');".repeat(50));
  assert.equal((await fetch(`${server.url}/assets/missing.js`)).status, 404);
});

test("an app that was not built answers 503 saying so", async () => {
  const router = new Router();
  await singlePageApp(router, {
    dir: path.join(dir, "nothing"),
    reserved: [],
    missing: "the UI is not built: run make",
  });
  const empty = new HttpServer({ name: "empty", router });
  await empty.listen();
  try {
    const res = await fetch(`${empty.url}/`);
    assert.equal(res.status, 503);
    assert.equal(await res.text(), "the UI is not built: run make\n");
  } finally {
    await empty.close();
  }
});

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { sha256Digest } from "../oci/digest.ts";
import { createTar } from "../common/tar.ts";
import { ArtifactStore } from "../source/artifact-store.ts";
import { gzipDeterministic } from "../source/tar-gz.ts";
import type { HttpServer } from "../http/server.ts";
import { artifactServer } from "./artifact-server.ts";

/** A request with the target sent exactly as given (fetch would normalise "/../"). */
function rawRequest(
  url: string,
  target: string,
  method = "GET",
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request({ hostname, port, path: target, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

let root: string;
let store: ArtifactStore;
let server: HttpServer;
let artifactPath: string;
let digest: string;
const tar = createTar([{ type: "file", path: "big.bin", content: randomBytes(3 * 1024 * 1024) }]);
const bytes = gzipDeterministic(tar);

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "sluice-artifact-server-"));
  store = new ArtifactStore({ root: path.join(root, "store"), baseUrl: "http://unused" });
  digest = sha256Digest(bytes);
  const artifact = await store.put({
    kind: "GitRepository",
    namespace: "default",
    name: "app",
    revision: "r",
    bytes,
    digest,
  });
  artifactPath = artifact.path;
  await writeFile(path.join(root, "secret.txt"), "secret");
  server = artifactServer({ store });
  await server.listen();
});

after(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describe("serving artifacts", () => {
  it("serves a stored artifact with its length, type and digest as ETag", async () => {
    const response = await fetch(`${server.url}/${artifactPath}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/gzip");
    assert.equal(response.headers.get("content-length"), String(bytes.length));
    assert.equal(response.headers.get("etag"), `"${digest}"`);
    const body = Buffer.from(await response.arrayBuffer());
    assert.equal(sha256Digest(body), digest);
    assert.ok(gunzipSync(body).equals(tar));
  });

  it("answers HEAD with headers only", async () => {
    const response = await rawRequest(server.url, `/${artifactPath}`, "HEAD");
    assert.equal(response.status, 200);
    assert.equal(response.headers["content-length"], String(bytes.length));
    assert.equal(response.body.length, 0);
  });

  it("answers 304 when If-None-Match names the digest", async () => {
    for (const ifNoneMatch of [`"${digest}"`, `W/"${digest}"`, `"other", "${digest}"`, "*"]) {
      const response = await fetch(`${server.url}/${artifactPath}`, {
        headers: { "If-None-Match": ifNoneMatch },
      });
      assert.equal(response.status, 304, ifNoneMatch);
      assert.equal(response.headers.get("etag"), `"${digest}"`);
    }
    const changed = await fetch(`${server.url}/${artifactPath}`, {
      headers: { "If-None-Match": '"sha256:0"' },
    });
    assert.equal(changed.status, 200);
    await changed.arrayBuffer();
  });
});

describe("refusing what is not an artifact", () => {
  it("answers 404 for missing artifacts and for every path that is not an artifact", async () => {
    const hex = "0".repeat(64);
    const targets = [
      `/gitrepository/default/app/${hex}.tar.gz`,
      "/",
      "/gitrepository/default/app/",
      "/../secret.txt",
      "/gitrepository/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E%2Fsecret.txt",
      `/gitrepository/default/app/..%2f..%2f..%2fsecret.txt`,
      "//etc/passwd",
      `/${root}/secret.txt`,
      "/%ff%fe",
      `/gitrepository/default/app/${hex}.tar.gz%00`,
    ];
    for (const target of targets) {
      const response = await rawRequest(server.url, target);
      assert.equal(response.status, 404, target);
      assert.doesNotMatch(response.body.toString(), /secret/);
    }
    const absoluteForm = await rawRequest(server.url, `http://example.com/${artifactPath}`);
    assert.equal(absoluteForm.status, 404);
  });

  it("refuses other methods", async () => {
    const response = await fetch(`${server.url}/${artifactPath}`, { method: "DELETE" });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET, HEAD");
    assert.equal(await store.exists(artifactPath), true);
  });
});

describe("lifecycle", () => {
  it("keeps serving after a client goes away mid-download", async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/${artifactPath}`, { signal: controller.signal });
    const reader = response.body?.getReader();
    await reader?.read();
    controller.abort();
    const again = await fetch(`${server.url}/${artifactPath}`);
    assert.equal(sha256Digest(Buffer.from(await again.arrayBuffer())), digest);
  });

  it("stops when its signal is aborted", async () => {
    const controller = new AbortController();
    const other = artifactServer({ store });
    const { done } = await other.start(controller.signal);
    const url = other.url;
    assert.equal((await fetch(`${url}/${artifactPath}`, { method: "HEAD" })).status, 200);
    controller.abort();
    await done;
    await assert.rejects(fetch(`${url}/${artifactPath}`, { method: "HEAD" }));
  });
});

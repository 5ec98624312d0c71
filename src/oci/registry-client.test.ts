import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { sha256Digest } from "./digest.ts";
import { RegistryError } from "./errors.ts";
import { generateImage, pushImage } from "./image.ts";
import { RegistryClient } from "./registry-client.ts";
import { startTestRegistry, type TestRegistry } from "./registry.test-support.ts";

const image = generateImage({ files: { "hello.txt": "hello from sluice\n" } });

/** Asserts that `promise` rejects with a RegistryError and returns it for further checks. */
async function registryError(promise: Promise<unknown>): Promise<RegistryError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof RegistryError, `expected a RegistryError, got ${String(error)}`);
  return error;
}

describe("RegistryClient against a Distribution registry", () => {
  let registry: TestRegistry;
  let client: RegistryClient;

  before(async () => {
    registry = await startTestRegistry();
    client = new RegistryClient({ host: registry.host, insecure: true });
  });

  after(async () => {
    await client.close();
    await registry.stop();
  });

  it("answers ping", async () => {
    await client.ping();
  });

  it("lists every one of 125 tags exactly once with page size 50", async () => {
    const tags = Array.from({ length: 125 }, (_, i) => `1.0.${i}`);
    await pushImage(client, "team/many-tags", tags, image);
    const listed = await client.listTags("team/many-tags", { pageSize: 50 });
    assert.equal(listed.length, tags.length);
    assert.deepEqual([...listed].sort(), [...tags].sort());
  });

  it("looks up the digest of a pushed tag", async () => {
    const { digest } = await pushImage(client, "team/head", ["v1", "latest"], image);
    assert.equal(digest, image.manifest.digest);
    const descriptor = await client.headManifest("team/head", "v1");
    assert.deepEqual(descriptor, {
      digest: image.manifest.digest,
      mediaType: image.manifest.mediaType,
      size: image.manifest.size,
    });
    assert.equal((await client.headManifest("team/head", digest)).digest, digest);
  });

  it("pushes a manifest by digest when no tag is given", async () => {
    const untagged = generateImage({ files: { "only-by-digest.txt": "no tag\n" } });
    const { digest } = await pushImage(client, "team/untagged", [], untagged);
    assert.equal((await client.headManifest("team/untagged", digest)).digest, digest);
  });

  it("uploads a blob once and skips it when the registry has it", async () => {
    const bytes = Buffer.from("a blob of its own\n");
    const first = await client.pushBlob("team/blobs", bytes);
    const second = await client.pushBlob("team/blobs", bytes);
    assert.equal(first.uploaded, true);
    assert.equal(second.uploaded, false);
    assert.equal(second.digest, first.digest);
    assert.equal(await client.blobExists("team/blobs", first.digest), true);
  });

  it("follows Link pagination of the catalog", async () => {
    const repositories = Array.from({ length: 7 }, (_, i) => `catalog/app-${i}`);
    for (const repository of repositories) await pushImage(client, repository, ["v1"], image);
    const listed = await client.listRepositories({ pageSize: 2 });
    assert.equal(new Set(listed).size, listed.length);
    for (const repository of repositories) assert.ok(listed.includes(repository), repository);
  });

  it("reports an unknown repository as NAME_UNKNOWN with a clear message", async () => {
    const error = await registryError(client.listTags("team/does-not-exist"));
    assert.equal(error.code, "NAME_UNKNOWN");
    assert.equal(error.status, 404);
    assert.equal(error.retryable, false);
    assert.match(error.message, /listing tags of team\/does-not-exist on registry 127\.0\.0\.1:\d+ failed/);
    assert.match(error.message, /repository does not exist/);
  });

  it("reports an unknown tag as MANIFEST_UNKNOWN", async () => {
    await pushImage(client, "team/known", ["v1"], image);
    const error = await registryError(client.headManifest("team/known", "v404"));
    assert.equal(error.code, "MANIFEST_UNKNOWN");
    assert.equal(error.status, 404);
  });
});

describe("RegistryClient downloads", () => {
  let registry: TestRegistry;
  let client: RegistryClient;

  before(async () => {
    registry = await startTestRegistry();
    client = new RegistryClient({ host: registry.host });
  });

  after(async () => {
    await client.close();
    await registry.stop();
  });

  it("fetches a manifest and streams blobs into files, verified against their digests", async () => {
    const { digest } = await pushImage(client, "team/fetch", ["v1"], image);
    const manifest = await client.getManifest("team/fetch", "v1");
    assert.equal(manifest.digest, digest);
    assert.equal(manifest.mediaType, image.manifest.mediaType);
    assert.deepEqual(manifest.bytes, image.manifest.bytes);
    const dir = await mkdtemp(path.join(tmpdir(), "sluice-blob-"));
    try {
      const file = path.join(dir, "layer");
      const [layer] = image.layers;
      assert.ok(layer);
      await client.fetchBlob("team/fetch", layer, file);
      assert.deepEqual(await readFile(file), layer.bytes);
      const wrongSize = registryError(
        client.fetchBlob("team/fetch", { ...layer, size: layer.size + 1 }, file),
      );
      assert.match((await wrongSize).message, /expected \d+ bytes/);
      assert.equal(existsSync(file), false);
      const unknown = await registryError(
        client
          .fetchBlob("team/fetch", image.config, file)
          .then(() => client.fetchBlob("team/fetch", { digest: `sha256:${"0".repeat(64)}`, size: 1 }, file)),
      );
      assert.equal(unknown.status, 404);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("RegistryClient uploads from files", () => {
  let registry: TestRegistry;
  let client: RegistryClient;
  let dir: string;

  before(async () => {
    registry = await startTestRegistry();
    client = new RegistryClient({ host: registry.host });
    dir = await mkdtemp(path.join(tmpdir(), "sluice-upload-"));
  });

  after(async () => {
    await client.close();
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function blobFile(name: string, bytes: Buffer) {
    const file = path.join(dir, name);
    await writeFile(file, bytes);
    return { digest: sha256Digest(bytes), size: bytes.length, file };
  }

  it("uploads a big blob in chunks, then skips it; another repository mounts it", async () => {
    const bytes = randomBytes(2500);
    const blob = await blobFile("big", bytes);
    assert.deepEqual(await client.pushBlobFile("team/chunks", blob, { chunkSize: 1000 }), {
      digest: blob.digest,
      size: 2500,
      uploaded: true,
    });
    const fetched = path.join(dir, "fetched");
    await client.fetchBlob("team/chunks", blob, fetched);
    assert.deepEqual(await readFile(fetched), bytes);
    assert.equal((await client.pushBlobFile("team/chunks", blob)).uploaded, false);
    const mounted = await client.pushBlobFile("team/other", blob, { mountFrom: "team/chunks" });
    assert.deepEqual(mounted, { digest: blob.digest, size: 2500, uploaded: false, mounted: true });
    assert.equal(await client.blobExists("team/other", blob.digest), true);
  });

  it("refuses a file whose content does not match the digest", async () => {
    const blob = await blobFile("lying", Buffer.from("actual content"));
    const error = await registryError(
      client.pushBlobFile("team/lies", { ...blob, digest: sha256Digest(Buffer.from("claimed")) }),
    );
    assert.equal(error.status, 400);
    assert.equal(error.code, "DIGEST_INVALID");
  });
});

describe("RegistryClient with htpasswd auth", () => {
  const username = "sluice";
  const password = "s3cret-Pa55word";
  let registry: TestRegistry;

  before(async () => {
    registry = await startTestRegistry({ auth: { username, password } });
  });

  after(async () => {
    await registry.stop();
  });

  async function withClient<T>(
    credentials: { username: string; password: string } | undefined,
    use: (c: RegistryClient) => Promise<T>,
  ) {
    const client = new RegistryClient({
      host: registry.host,
      insecure: true,
      ...(credentials ? { credentials } : {}),
    });
    try {
      return await use(client);
    } finally {
      await client.close();
    }
  }

  it("pushes and lists with the right credentials", async () => {
    await withClient({ username, password }, async (client) => {
      await client.ping();
      const { digest } = await pushImage(client, "private/app", ["v1", "v2"], image);
      assert.deepEqual((await client.listTags("private/app")).sort(), ["v1", "v2"]);
      assert.equal((await client.headManifest("private/app", "v2")).digest, digest);
    });
  });

  it("rejects wrong credentials as UNAUTHORIZED without revealing the password", async () => {
    const wrong = "wrong-Pa55word";
    const error = await withClient({ username, password: wrong }, (client) =>
      registryError(client.listTags("private/app")),
    );
    assert.equal(error.code, "UNAUTHORIZED");
    assert.equal(error.status, 401);
    assert.match(error.message, /rejected the credentials of user "sluice"/);
    for (const secret of [wrong, password, Buffer.from(`${username}:${wrong}`).toString("base64")]) {
      assert.ok(!error.message.includes(secret), "message must not contain credentials");
      assert.ok(!JSON.stringify(error).includes(secret), "error fields must not contain credentials");
    }
  });

  it("says that credentials are needed when none were given", async () => {
    const error = await withClient(undefined, (client) => registryError(client.ping()));
    assert.equal(error.code, "UNAUTHORIZED");
    assert.match(error.message, /requires credentials and none were given/);
  });
});

interface TestServer {
  host: string;
  close(): Promise<void>;
}

/** A tiny server of the test's own, for behaviour a healthy registry will not show on demand. */
async function startServer(
  handle: (req: IncomingMessage, res: ServerResponse, base: string) => void,
): Promise<TestServer> {
  let base = "";
  const server = createServer((req, res) => handle(req, res, base));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `http://${host}`;
  return {
    host,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

describe("RegistryClient retries", () => {
  it("waits for Retry-After after a 429 and then succeeds", async () => {
    let requests = 0;
    const server = await startServer((_req, res) => {
      requests++;
      if (requests === 1) {
        json(
          res,
          429,
          { errors: [{ code: "TOOMANYREQUESTS", message: "slow down" }] },
          { "retry-after": "1" },
        );
      } else {
        json(res, 200, {});
      }
    });
    const client = new RegistryClient({ host: server.host, insecure: true });
    try {
      const started = Date.now();
      await client.ping();
      assert.equal(requests, 2);
      assert.ok(Date.now() - started >= 950, "waited for Retry-After");
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("retries 503 with backoff and gives up after maxRetries with the registry's code", async () => {
    let requests = 0;
    const server = await startServer((_req, res) => {
      requests++;
      json(res, 503, { errors: [{ code: "UNAVAILABLE", message: "maintenance" }] });
    });
    const client = new RegistryClient({
      host: server.host,
      insecure: true,
      maxRetries: 2,
      retryBaseDelayMs: 5,
    });
    try {
      const error = await registryError(client.ping());
      assert.equal(requests, 3);
      assert.equal(error.status, 503);
      assert.equal(error.code, "UNAVAILABLE");
      assert.equal(error.retryable, true);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("fails at once, with retryAfterMs, when Retry-After exceeds the longest wait", async () => {
    let requests = 0;
    const server = await startServer((_req, res) => {
      requests++;
      json(
        res,
        429,
        { errors: [{ code: "TOOMANYREQUESTS", message: "pull rate limit" }] },
        { "retry-after": "3600" },
      );
    });
    const client = new RegistryClient({ host: server.host, insecure: true, maxRetryDelayMs: 2000 });
    try {
      const error = await registryError(client.listTags("app"));
      assert.equal(requests, 1);
      assert.equal(error.code, "TOOMANYREQUESTS");
      assert.equal(error.retryAfterMs, 3_600_000);
      assert.match(error.message, /rate limiting/);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe("RegistryClient without an answer", () => {
  it("reports an unreachable registry as a network error after retrying", async () => {
    const server = await startServer((_req, res) => json(res, 200, {}));
    const host = server.host;
    await server.close();
    const client = new RegistryClient({ host, insecure: true, maxRetries: 1, retryBaseDelayMs: 5 });
    try {
      const error = await registryError(client.ping());
      assert.equal(error.reason, "network");
      assert.equal(error.retryable, true);
      assert.match(error.message, /ECONNREFUSED/);
    } finally {
      await client.close();
    }
  });

  it("times out a request that gets no answer", async () => {
    const server = await startServer(() => {
      // never answers
    });
    const client = new RegistryClient({ host: server.host, insecure: true, timeoutMs: 200, maxRetries: 0 });
    try {
      const error = await registryError(client.ping());
      assert.equal(error.reason, "timeout");
      assert.match(error.message, /no answer within 200ms/);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe("RegistryClient bearer token auth", () => {
  const username = "robot";
  const password = "t0ken-Pa55word";
  let tokenRequests: URL[] = [];
  let server: TestServer;

  before(async () => {
    server = await startServer((req, res, base) => {
      const url = new URL(req.url ?? "/", base);
      if (url.pathname === "/token") return issueToken(req, res, url);
      if (req.headers.authorization !== "Bearer token-for-repository:app:pull") {
        const challenge = `Bearer realm="${base}/token",service="test-registry",scope="repository:app:pull"`;
        return json(
          res,
          401,
          { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] },
          {
            "www-authenticate": challenge,
          },
        );
      }
      json(res, 200, { name: "app", tags: ["a", "b"] });
    });
  });

  after(async () => {
    await server.close();
  });

  function issueToken(req: IncomingMessage, res: ServerResponse, url: URL): void {
    tokenRequests.push(url);
    const expected = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
    if (req.headers.authorization !== expected) return json(res, 401, { details: "bad credentials" });
    json(res, 200, { token: `token-for-${url.searchParams.get("scope")}`, expires_in: 300 });
  }

  it("fetches a token for the scope from the realm and reuses it", async () => {
    tokenRequests = [];
    const client = new RegistryClient({
      host: server.host,
      insecure: true,
      credentials: { username, password },
    });
    try {
      assert.deepEqual(await client.listTags("app"), ["a", "b"]);
      assert.deepEqual(await client.listTags("app"), ["a", "b"]);
      assert.equal(tokenRequests.length, 1);
      assert.equal(tokenRequests[0]?.searchParams.get("service"), "test-registry");
      assert.equal(tokenRequests[0]?.searchParams.get("scope"), "repository:app:pull");
    } finally {
      await client.close();
    }
  });

  it("reports credentials refused by the token realm as UNAUTHORIZED", async () => {
    const wrong = "not-the-Pa55word";
    const client = new RegistryClient({
      host: server.host,
      insecure: true,
      credentials: { username, password: wrong },
    });
    try {
      const error = await registryError(client.listTags("app"));
      assert.equal(error.code, "UNAUTHORIZED");
      assert.ok(!error.message.includes(wrong));
    } finally {
      await client.close();
    }
  });
});

describe("RegistryClient pagination without Link headers", () => {
  it("asks for the tags after the last one while pages come back full", async () => {
    const all = ["a", "b", "c", "d", "e"];
    const requested: string[] = [];
    const server = await startServer((req, res, base) => {
      const url = new URL(req.url ?? "/", base);
      requested.push(url.search);
      const last = url.searchParams.get("last");
      const start = last === null ? 0 : all.indexOf(last) + 1;
      json(res, 200, { name: "app", tags: all.slice(start, start + Number(url.searchParams.get("n"))) });
    });
    const client = new RegistryClient({ host: server.host, insecure: true });
    try {
      assert.deepEqual(await client.listTags("app", { pageSize: 2 }), all);
      assert.deepEqual(requested, ["?n=2", "?n=2&last=b", "?n=2&last=d"]);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe("RegistryClient pagination guards", () => {
  it("stops a Link header that loops", async () => {
    const server = await startServer((_req, res) => {
      json(res, 200, { name: "app", tags: ["a"] }, { link: '</v2/app/tags/list?n=1>; rel="next"' });
    });
    const client = new RegistryClient({ host: server.host, insecure: true });
    try {
      const error = await registryError(client.listTags("app"));
      assert.equal(error.reason, "invalid-response");
      assert.match(error.message, /pagination loops back/);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("stops after maxPages", async () => {
    let page = 0;
    const server = await startServer((_req, res) => {
      page++;
      json(
        res,
        200,
        { name: "app", tags: [`t${page}`] },
        { link: `</v2/app/tags/list?page=${page + 1}>; rel="next"` },
      );
    });
    const client = new RegistryClient({ host: server.host, insecure: true });
    try {
      const error = await registryError(client.listTags("app", { maxPages: 5 }));
      assert.match(error.message, /more than 5 pages/);
      assert.equal(page, 5);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { generateImage, pushImage } from "../oci/image.ts";
import { RegistryClient } from "../oci/registry-client.ts";
import { startTestRegistry, type TestRegistry } from "../oci/registry.test-support.ts";
import { credentialsFor, dockerConfigFromSecret } from "../oci/docker-config.ts";
import {
  canonicalImageName,
  parseScanImage,
  scanRepository,
  ScanError,
  type ScanOptions,
} from "./scanner.ts";
import { startRecordingProxy, type RecordingProxy } from "./registry-proxy.test-support.ts";

const image = generateImage({ files: { "hello.txt": "scanned by sluice\n" } });

async function scanError(promise: Promise<unknown>): Promise<ScanError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ScanError, `expected a ScanError, got ${String(error)}`);
  return error;
}

let registry: TestRegistry;
const scan = (options: Partial<ScanOptions> & { image: string }) =>
  scanRepository({ insecure: true, timeoutMs: 10_000, ...options });

before(async () => {
  registry = await startTestRegistry();
  const client = new RegistryClient({ host: registry.host, insecure: true });
  await pushImage(client, "team/app", ["v0.9.0", "v1.0.0", "v1.1.0", "latest", "sha256-1234.sig"], image);
  const many = Array.from({ length: 250 }, (_, i) => `1.0.${i}`);
  await pushImage(client, "team/many", many, image);
  await client.close();
});

after(async () => {
  await registry.stop();
});

describe("scanRepository: tags, pages and exclusions", () => {
  it("lists the tags, drops cosign signatures by default and reports the latest ten in Flux's order", async () => {
    const result = await scan({ image: `${registry.host}/team/app` });
    assert.equal(result.canonicalImageName, `${registry.host}/team/app`);
    assert.deepEqual([...result.tags].sort(), ["latest", "v0.9.0", "v1.0.0", "v1.1.0"]);
    assert.deepEqual(result.latestTags, ["v1.1.0", "v1.0.0", "v0.9.0", "latest"]);
    assert.equal(result.excluded, 1);
    assert.equal(result.requests, 1);
  });

  it("lists more than 100 tags (the registry answers them in one page)", async () => {
    const result = await scan({ image: `${registry.host}/team/many` });
    assert.equal(result.tags.length, 250);
    assert.equal(new Set(result.tags).size, 250);
    assert.deepEqual(result.latestTags, [
      "1.0.99",
      "1.0.98",
      "1.0.97",
      "1.0.96",
      "1.0.95",
      "1.0.94",
      "1.0.93",
      "1.0.92",
      "1.0.91",
      "1.0.90",
    ]);
  });

  it("follows Link pagination over 250 tags: three pages of 100", async () => {
    const proxy = await startRecordingProxy(registry.host);
    proxy.paginateTags = true;
    try {
      const result = await scan({ image: `${proxy.host}/team/many` });
      assert.equal(result.tags.length, 250);
      assert.equal(new Set(result.tags).size, 250);
      assert.equal(result.requests, 3);
      const sorted = Array.from({ length: 250 }, (_, i) => `1.0.${i}`).sort();
      assert.deepEqual(proxy.paths, [
        "GET /v2/team/many/tags/list?n=100",
        `GET /v2/team/many/tags/list?n=100&last=${sorted[99]}`,
        `GET /v2/team/many/tags/list?n=100&last=${sorted[199]}`,
      ]);
    } finally {
      await proxy.close();
    }
  });

  it("applies an exclusion list of Go regular expressions instead of the default", async () => {
    const result = await scan({ image: `${registry.host}/team/app`, exclusionList: ["^v0\\.", "latest"] });
    assert.deepEqual([...result.tags].sort(), ["sha256-1234.sig", "v1.0.0", "v1.1.0"]);
    const error = await scanError(scan({ image: `${registry.host}/team/app`, exclusionList: ["(?P<x"] }));
    assert.equal(error.reason, "ReadOperationFailed");
    assert.equal(error.failure, "invalid-exclusion-list");
    assert.equal(error.retryable, false);
    assert.match(error.message, /spec\.exclusionList: invalid regular expression/);
  });
});

describe("scanRepository: unknown repositories and invalid images", () => {
  it("names an unknown repository", async () => {
    const error = await scanError(scan({ image: `${registry.host}/team/missing` }));
    assert.equal(error.reason, "ReadOperationFailed");
    assert.equal(error.failure, "not-found");
    assert.equal(error.retryable, true);
    assert.match(error.message, /NAME_UNKNOWN/);
    assert.match(error.message, /check its name \(spec\.image\), or push a first image/);
  });

  it("refuses an image with a scheme, a tag or a digest, as Flux does", async () => {
    for (const [spec, message] of [
      ["https://ghcr.io/org/app", /should not include a URL scheme/],
      ["ghcr.io/org/app:v1", /should not include a tag; remove ':v1'/],
      [`ghcr.io/org/app@sha256:${"a".repeat(64)}`, /should not include a digest/],
      ["ghcr.io/Org/App", /not an image name/],
    ] as const) {
      const error = await scanError(scan({ image: spec }));
      assert.equal(error.reason, "ImageURLInvalid");
      assert.equal(error.retryable, false);
      assert.match(error.message, message);
    }
  });

  it("names Docker Hub images as Flux does", () => {
    assert.equal(canonicalImageName(parseScanImage("nginx")), "index.docker.io/library/nginx");
    assert.equal(canonicalImageName(parseScanImage("docker.io/fluxcd/flux")), "index.docker.io/fluxcd/flux");
    assert.equal(canonicalImageName(parseScanImage("ghcr.io/org/app")), "ghcr.io/org/app");
  });
});

describe("scanRepository with htpasswd authentication", () => {
  const username = "scanner";
  const password = "correct-horse-battery-staple";
  let registry: TestRegistry;

  before(async () => {
    registry = await startTestRegistry({ auth: { username, password } });
    const client = new RegistryClient({
      host: registry.host,
      insecure: true,
      credentials: { username, password },
    });
    await pushImage(client, "private/app", ["1.0.0", "1.1.0"], image);
    await client.close();
  });

  after(async () => {
    await registry.stop();
  });

  it("scans with the credentials of a docker-registry Secret", async () => {
    const auth = Buffer.from(`${username}:${password}`).toString("base64");
    const dockerconfigjson = JSON.stringify({ auths: { [`http://${registry.host}/v2/`]: { auth } } });
    const config = dockerConfigFromSecret({
      data: { ".dockerconfigjson": Buffer.from(dockerconfigjson).toString("base64") },
    });
    const credentials = credentialsFor(config, registry.host);
    assert.ok(credentials);
    const result = await scanRepository({
      image: `${registry.host}/private/app`,
      insecure: true,
      timeoutMs: 10_000,
      credentials,
    });
    assert.deepEqual([...result.tags].sort(), ["1.0.0", "1.1.0"]);
    assert.equal(result.requests, 2, "a 401 that teaches the Basic scheme, then the listing");
  });

  it("a wrong password is AuthenticationFailed and the message does not contain it", async () => {
    const wrong = "not-the-password-42";
    const error = await scanError(
      scanRepository({
        image: `${registry.host}/private/app`,
        insecure: true,
        timeoutMs: 10_000,
        credentials: { username, password: wrong },
      }),
    );
    assert.equal(error.reason, "AuthenticationFailed");
    assert.equal(error.failure, "unauthorized");
    assert.match(error.message, /rejected the credentials of user "scanner"/);
    assert.ok(!error.message.includes(wrong));
    assert.ok(!error.message.includes(Buffer.from(`${username}:${wrong}`).toString("base64")));
  });

  it("no credentials is AuthenticationFailed with what to do", async () => {
    const error = await scanError(
      scanRepository({ image: `${registry.host}/private/app`, insecure: true, timeoutMs: 10_000 }),
    );
    assert.equal(error.reason, "AuthenticationFailed");
    assert.match(
      error.message,
      /requires credentials and none were given; reference a docker-registry Secret/,
    );
  });
});

describe("scanRepository when the registry goes away", () => {
  let registry: TestRegistry;
  const options = () => ({
    image: `${registry.host}/team/paged`,
    insecure: true,
    timeoutMs: 10_000,
    maxRetries: 1,
    retryBaseDelayMs: 10,
  });

  before(async () => {
    registry = await startTestRegistry();
    const client = new RegistryClient({ host: registry.host, insecure: true });
    await pushImage(
      client,
      "team/paged",
      Array.from({ length: 150 }, (_, i) => `v${i}`),
      image,
    );
    await client.close();
  });

  after(async () => {
    await registry.stop();
  });

  it("a run of scans fails with a retryable network reason while it is down and succeeds after the restart", async () => {
    assert.equal((await scanRepository(options())).tags.length, 150);
    await registry.kill();
    const error = await scanError(scanRepository(options()));
    assert.equal(error.reason, "ReadOperationFailed");
    assert.equal(error.failure, "network");
    assert.equal(error.retryable, true);
    assert.equal(error.requests, 2, "the request and one retry");
    assert.match(error.message, /listing tags of team\/paged on registry .* failed: .*ECONNREFUSED/);
    await registry.restart();
    assert.equal((await scanRepository(options())).tags.length, 150);
  });

  it("fails with a retryable network reason when it dies after the first page, and succeeds once it is back", async () => {
    const proxy = await startRecordingProxy(registry.host);
    proxy.paginateTags = true;
    let requests = 0;
    const killAfterFirstPage = {
      acquire: async () => {
        if (++requests === 2) await registry.kill();
        return () => {};
      },
    };
    try {
      const paged = { ...options(), image: `${proxy.host}/team/paged` };
      const error = await scanError(scanRepository({ ...paged, limiter: killAfterFirstPage }));
      assert.equal(error.reason, "ReadOperationFailed");
      assert.equal(error.failure, "network");
      assert.equal(error.retryable, true);
      assert.equal(requests, 3, "the first page, the second page and one retry");
      await registry.restart();
      const result = await scanRepository(paged);
      assert.equal(result.tags.length, 150);
      assert.equal(result.requests, 2);
    } finally {
      await proxy.close();
    }
  });
});

describe("scanRepository against a slow or rate-limiting registry", () => {
  let registry: TestRegistry;
  let proxy: RecordingProxy;
  let silent: Server;

  before(async () => {
    registry = await startTestRegistry();
    const client = new RegistryClient({ host: registry.host, insecure: true });
    await pushImage(client, "team/limited", ["v1"], image);
    await client.close();
    proxy = await startRecordingProxy(registry.host);
    silent = createServer(() => {}); // accepts requests and never answers
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
  });

  after(async () => {
    silent.closeAllConnections();
    silent.close();
    await proxy.close();
    await registry.stop();
  });

  it("surfaces a 429's Retry-After so the controller can requeue after it", async () => {
    proxy.fault = () => ({
      status: 429,
      headers: { "retry-after": "120", "content-type": "application/json" },
      body: JSON.stringify({ errors: [{ code: "TOOMANYREQUESTS", message: "pull rate limit" }] }),
    });
    const error = await scanError(
      scanRepository({ image: `${proxy.host}/team/limited`, insecure: true, timeoutMs: 10_000 }),
    );
    proxy.fault = undefined;
    assert.equal(error.reason, "ReadOperationFailed");
    assert.equal(error.failure, "rate-limited");
    assert.equal(error.retryable, true);
    assert.equal(error.retryAfterMs, 120_000);
    assert.match(error.message, /TOOMANYREQUESTS/);
    const after = await scanRepository({
      image: `${proxy.host}/team/limited`,
      insecure: true,
      timeoutMs: 10_000,
    });
    assert.deepEqual(after.tags, ["v1"]);
  });

  it("gives up after spec.timeout with a retryable timeout", async () => {
    const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const started = performance.now();
    const error = await scanError(
      scanRepository({ image: `${host}/team/app`, insecure: true, timeoutMs: 300 }),
    );
    assert.ok(performance.now() - started < 3000);
    assert.equal(error.failure, "timeout");
    assert.equal(error.reason, "ReadOperationFailed");
    assert.equal(error.retryable, true);
  });

  it("stops at once when the caller aborts, with the caller's reason", async () => {
    const host = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const controller = new AbortController();
    const scanning = scanRepository({
      image: `${host}/team/app`,
      insecure: true,
      timeoutMs: 10_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("shutting down")), 50);
    await assert.rejects(scanning, /shutting down/);
  });
});

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { Agent } from "undici";
import { generateImage, pushImage } from "./image.ts";
import { RegistryClient } from "./registry-client.ts";
import { startTestRegistry, type TestRegistry } from "./registry.test-support.ts";
import { RegistryLimiter } from "./registry-limiter.ts";
import { scanRepository } from "../image/scanner.ts";
import { startRecordingProxy, type RecordingProxy } from "../image/registry-proxy.test-support.ts";

/** The most events inside any window of `windowMs` (sliding, starting at each event). */
function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

describe("RegistryLimiter", () => {
  it("admits a burst at once, then paces at the rate", async () => {
    const limiter = new RegistryLimiter({ limit: { requestsPerSecond: 20, burst: 3, maxConcurrency: 100 } });
    const started = performance.now();
    const grants: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, async () => {
        const release = await limiter.acquire("ghcr.io");
        grants.push(performance.now() - started);
        release();
      }),
    );
    assert.ok(
      grants.slice(0, 3).every((t) => t < 20),
      `burst granted at once: ${grants.join(", ")}`,
    );
    // four more at 20/s: the last about 200 ms after the start
    assert.ok(grants[6]! >= 190 && grants[6]! < 400, `paced: ${grants.join(", ")}`);
  });

  it("caps concurrency per registry and keeps registries apart", async () => {
    const limiter = new RegistryLimiter({
      limit: { requestsPerSecond: 1000, burst: 1000, maxConcurrency: 2 },
    });
    const a1 = await limiter.acquire("ghcr.io");
    const a2 = await limiter.acquire("ghcr.io");
    let third = false;
    const a3 = limiter.acquire("ghcr.io").then((release) => {
      third = true;
      return release;
    });
    const other = await limiter.acquire("quay.io");
    await sleep(20);
    assert.equal(third, false);
    assert.deepEqual(limiter.stats("ghcr.io"), { active: 2, waiting: 1 });
    a1();
    a1(); // releasing twice is harmless
    (await a3)();
    assert.equal(third, true);
    a2();
    other();
    assert.deepEqual(limiter.stats("ghcr.io"), { active: 0, waiting: 0 });
  });

  it("treats Docker Hub's names as one registry and honours per-registry limits", async () => {
    const limiter = new RegistryLimiter({
      limit: { maxConcurrency: 10 },
      perRegistry: { "index.docker.io": { maxConcurrency: 1 } },
    });
    const first = await limiter.acquire("docker.io");
    const aborted = new AbortController();
    const waiting = limiter.acquire("registry-1.docker.io", aborted.signal);
    assert.deepEqual(limiter.stats("docker.io"), { active: 1, waiting: 1 });
    aborted.abort(new Error("gave up"));
    await assert.rejects(waiting, /gave up/);
    assert.deepEqual(limiter.stats("docker.io"), { active: 1, waiting: 0 });
    first();
  });

  it("refuses nonsense limits", () => {
    assert.throws(() => new RegistryLimiter({ limit: { requestsPerSecond: 0 } }), /requestsPerSecond/);
    assert.throws(
      () => new RegistryLimiter({ perRegistry: { "ghcr.io": { maxConcurrency: 0.5 } } }),
      /ghcr\.io/,
    );
  });
});

describe("RegistryLimiter shared by 200 scans against one registry", () => {
  const image = generateImage({ files: { "small.txt": "small\n" } });
  const repositories = Array.from({ length: 20 }, (_, i) => `small/app-${i}`);
  const limit = { requestsPerSecond: 40, burst: 5, maxConcurrency: 4 };
  let registry: TestRegistry;
  let proxy: RecordingProxy;

  before(async () => {
    registry = await startTestRegistry();
    const client = new RegistryClient({ host: registry.host, insecure: true });
    for (const repository of repositories) await pushImage(client, repository, ["v1", "v2", "v3"], image);
    await client.close();
    proxy = await startRecordingProxy(registry.host);
  });

  after(async () => {
    await proxy.close();
    await registry.stop();
  });

  it("never exceeds the rate or the concurrency on the wire", async () => {
    const limiter = new RegistryLimiter({ limit });
    const dispatcher = new Agent({ connections: 16 });
    try {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          scanRepository({
            image: `${proxy.host}/${repositories[i % repositories.length]}`,
            insecure: true,
            timeoutMs: 30_000,
            limiter,
            dispatcher,
          }),
        ),
      );
      assert.ok(results.every((result) => result.tags.length === 3));
      const sent = results.reduce((sum, result) => sum + result.requests, 0);
      assert.equal(proxy.arrivals.length, sent, "every request the scans sent went through the limiter");
      // At most burst + rate·T requests in any T seconds; with T = 1 s that is 45. Arrivals are
      // stamped by the proxy, so a loaded machine can delay admitted requests into the next window:
      // allow 100 ms of that (2 requests), no more.
      const bound = limit.burst + limit.requestsPerSecond * 1.1;
      const busiest = busiestWindow(proxy.arrivals, 1000);
      assert.ok(busiest <= bound, `${busiest} requests within one second`);
      const perFixedSecond = new Map<number, number>();
      const first = Math.min(...proxy.arrivals);
      for (const t of proxy.arrivals) {
        const second = Math.floor((t - first) / 1000);
        perFixedSecond.set(second, (perFixedSecond.get(second) ?? 0) + 1);
      }
      assert.ok([...perFixedSecond.values()].every((n) => n <= bound));
      assert.ok(proxy.maxInFlight <= limit.maxConcurrency, `${proxy.maxInFlight} in flight`);
      const span = (Math.max(...proxy.arrivals) - first) / 1000;
      if (process.env["SLUICE_TEST_VERBOSE"])
        console.log({ sent, busiest, maxInFlight: proxy.maxInFlight, span });
      assert.ok(span >= (sent - limit.burst) / limit.requestsPerSecond - 0.1, `200 requests took ${span}s`);
    } finally {
      await dispatcher.close();
    }
  });
});

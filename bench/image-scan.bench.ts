// Image scanning at scale against a real Distribution registry (started here, removed at the end):
// one scan of 10,000 tags (time, HTTP requests), the CPU of policy evaluation over them, the memory
// an idle ImageRepository keeps (TagStore metadata), and 200 scans through one RegistryLimiter.
// Run: scripts/with-node.sh node bench/image-scan.bench.ts [tags] [repositories]
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import vm from "node:vm";
import { compilePolicy, type PolicyChoice } from "../src/image/policy.ts";
import { RegistryLimiter, type RegistryLimit } from "../src/oci/registry-limiter.ts";
import { scanRepository, type ScanResult } from "../src/image/scanner.ts";
import { TagStore } from "../src/image/tag-store.ts";
import { startRecordingProxy } from "../src/image/registry-proxy.test-support.ts";
import { generateImage, pushImage } from "../src/oci/image.ts";
import { RegistryClient } from "../src/oci/registry-client.ts";
import type { RequestGate } from "../src/oci/transport.ts";
import { startTestRegistry } from "../src/oci/registry.test-support.ts";

const execFileAsync = promisify(execFile);
const memoryChild = "--idle-memory-child";
const childMode = process.argv[2] === memoryChild;
const tagCount = Number((childMode ? process.argv[4] : process.argv[2]) ?? 10_000);
const repositories = Number((childMode ? process.argv[5] : process.argv[3]) ?? 200);
const pushConcurrency = 16;
const policyRuns = 21;
const limit: RegistryLimit = { requestsPerSecond: 40, burst: 10, maxConcurrency: 8 };
const pageSizes = [100, 1000];

interface Row {
  measure: string;
  value: string;
  target: string;
  ok: boolean | undefined;
}
const results: Row[] = [];
/** A full last page without a Link header made the client ask once more (see the note under the table). */
let extraPageSeen = false;
const record = (measure: string, value: string, target = "", ok?: boolean) => {
  results.push({ measure, value, target, ok });
  console.log(`  ${measure}: ${value}`);
};

/** Releases, release candidates, build numbers and CI tags, all distinct and valid tag names. */
function benchTags(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const j = Math.floor(i / 4);
    const version = `${j % 5}.${Math.floor(j / 5) % 50}.${Math.floor(j / 250)}`;
    const shape = i % 4;
    if (shape === 0) out.push(version);
    else if (shape === 1) out.push(`${version}-rc.1`);
    else if (shape === 2) out.push(String(10_000 + j));
    else out.push(`main-${((j * 2654435761) >>> 0).toString(16).padStart(8, "0")}-${1_700_000_000 + j * 60}`);
  }
  return out;
}

/** Runs `fn` over `items` with at most `concurrency` at once. */
async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The garbage collector: `--expose-gc`'s global, or the same function obtained at run time. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

async function pushTags(registry: string, repository: string, tags: readonly string[]): Promise<void> {
  const client = new RegistryClient({ host: registry, insecure: true });
  try {
    const image = generateImage({ files: { "bench.txt": `${repository}\n` } });
    await pushImage(client, repository, tags.slice(0, 1), image);
    const { bytes, mediaType } = image.manifest;
    await pool(tags.slice(1), pushConcurrency, (tag) =>
      client.pushManifest(repository, tag, bytes, mediaType),
    );
  } finally {
    await client.close();
  }
}

async function scanOnce(registry: string, tags: readonly string[]): Promise<ScanResult> {
  console.log(`\n1. one scan of ${tags.length} tags`);
  const started = performance.now();
  const scan = await scanRepository({ image: `${registry}/bench/app`, insecure: true, timeoutMs: 120_000 });
  const elapsed = performance.now() - started;
  if (scan.tags.length !== tags.length)
    throw new Error(`scan found ${scan.tags.length} of ${tags.length} tags`);
  record(
    `scan of ${tags.length} tags, registry 2.8 directly`,
    `${ms(elapsed)}, ${scan.requests} request(s)`,
    "1 request (2.8 sends every tag in one page)",
    scan.requests === 1,
  );
  const proxy = await startRecordingProxy(registry);
  proxy.paginateTags = true;
  try {
    for (const pageSize of pageSizes) {
      const pagedStart = performance.now();
      const paged = await scanRepository({
        image: `${proxy.host}/bench/app`,
        insecure: true,
        timeoutMs: 120_000,
        pageSize,
      });
      const fewest = Math.ceil(tags.length / pageSize);
      record(
        `scan of ${paged.tags.length} tags in pages of ${pageSize} (paginating proxy)`,
        `${ms(performance.now() - pagedStart)}, ${paged.requests} requests`,
        `${fewest} requests (${tags.length}/${pageSize})`,
        paged.requests === fewest && paged.tags.length === tags.length,
      );
      if (paged.requests === fewest + 1 && tags.length % pageSize === 0) extraPageSeen = true;
    }
  } finally {
    await proxy.close();
  }
  return scan;
}

/** Median CPU time (user + system) of `fn` over `policyRuns` runs after 3 warm-ups, and the cold run. */
async function cpuOf(fn: () => unknown): Promise<{ cold: number; median: number }> {
  const cpu: number[] = [];
  let cold = 0;
  for (let run = 0; run < policyRuns + 3; run++) {
    const before = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(before);
    const msUsed = (used.user + used.system) / 1000;
    if (run === 0) cold = msUsed;
    if (run >= 3) cpu.push(msUsed);
  }
  return { cold, median: median(cpu) };
}

async function policyEvaluation(tags: readonly string[], storeRoot: string): Promise<void> {
  console.log(`\n2. policy evaluation over ${tags.length} tags (CPU, median of ${policyRuns} runs)`);
  const cases: [string, PolicyChoice][] = [
    ["semver >=1.0.0 <4.0.0", { semver: { range: ">=1.0.0 <4.0.0" } }],
    ["alphabetical asc", { alphabetical: { order: "asc" } }],
    ["numerical asc", { numerical: { order: "asc" } }],
  ];
  for (const [name, policy] of cases) {
    let selected: string | undefined;
    const cpu = await cpuOf(() => (selected = compilePolicy(policy).select(tags)?.tag));
    record(
      `policy ${name} -> ${selected}`,
      `${ms(cpu.median)} (cold ${ms(cpu.cold)})`,
      "< 50 ms",
      cpu.median < 50,
    );
  }
  // what a reconcile does: read the list from the tag store (gunzip), then select
  const store = new TagStore(storeRoot);
  await store.save("bench", "app", tags);
  const [name, policy] = cases[0]!;
  const cpu = await cpuOf(async () => compilePolicy(policy).select((await store.load("bench", "app")) ?? []));
  record(
    `policy ${name}, tag store load included`,
    `${ms(cpu.median)} (cold ${ms(cpu.cold)})`,
    "< 50 ms",
    cpu.median < 50,
  );
}

/**
 * In a fresh process (nothing else on its heap to be collected meanwhile): the heap retained by a
 * TagStore holding `repositories` saved repositories of `perRepository` tags each, after gc, and
 * for contrast by one list of all the tags in memory. Prints JSON for the parent.
 */
async function idleMemoryChild(root: string, tags: readonly string[], perRepository: number): Promise<void> {
  const gc = collector();
  const heapUsed = () => {
    for (let i = 0; i < 4; i++) gc();
    return v8.getHeapStatistics().used_heap_size;
  };
  const listOf = (i: number) => {
    const offset = (i * 37) % Math.max(1, tags.length - perRepository);
    return tags.slice(offset, offset + perRepository); // garbage once saved, as a scan's list is
  };
  const warmUp = new TagStore(path.join(root, "warm-up")); // compile the save path before measuring
  await warmUp.save("bench", "warm-up", listOf(0));
  await warmUp.load("bench", "warm-up");
  const before = heapUsed();
  const store = new TagStore(path.join(root, "idle"));
  for (let i = 0; i < repositories; i++) await store.save("bench", `app-${i}`, listOf(i));
  const middle = heapUsed();
  const stored = middle - before;
  // as many again: the cost of one more repository, without the store's one-time allocations
  for (let i = repositories; i < 2 * repositories; i++) await store.save("bench", `app-${i}`, listOf(i));
  const more = heapUsed() - middle;
  if (store.info("bench", "app-0")?.count !== perRepository)
    throw new Error("the tag store lost a repository");
  const start = heapUsed();
  const copy = tags.map((tag) => `${tag} `.trimEnd()); // fresh strings, as a registry answer gives
  const list = heapUsed() - start;
  process.stdout.write(JSON.stringify({ stored, more, list, listLength: copy.length }));
}

async function idleMemory(tags: readonly string[], storeRoot: string): Promise<void> {
  console.log(`\n3. memory per idle repository (${repositories} saved repositories, retained heap after gc)`);
  const perRepository = Math.min(1000, tags.length);
  const child = await execFileAsync(process.execPath, [
    "--expose-gc",
    fileURLToPath(import.meta.url),
    memoryChild,
    storeRoot,
    String(tags.length),
    String(repositories),
    String(perRepository),
  ]);
  const measured = JSON.parse(child.stdout) as {
    stored: number;
    more: number;
    list: number;
    listLength: number;
  };
  const each = measured.stored / repositories;
  record(
    `idle repository: heap of ${repositories} saved / ${repositories} (${perRepository} tags each on disk)`,
    `${Math.round(each)} bytes`,
    "< 64 KiB",
    each < 64 * 1024,
  );
  record(
    `idle repository: the next ${repositories} saved / ${repositories} (no one-time allocations)`,
    `${Math.round(measured.more / repositories)} bytes`,
    "< 64 KiB",
    measured.more / repositories < 64 * 1024,
  );
  record(`for contrast: a list of ${measured.listLength} tags held in memory`, kib(measured.list));
}

/** The most arrivals in any window of `windowMs`. */
function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let start = 0, end = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + windowMs) end++;
    best = Math.max(best, end - start);
  }
  return best;
}

/** Scans every repository at once through a fresh recording proxy (the registry's view of the requests). */
async function scanAll(registry: string, names: readonly string[], limiter: RequestGate | undefined) {
  const proxy = await startRecordingProxy(registry);
  const granted: number[] = [];
  const gate: RequestGate | undefined = limiter && {
    acquire: async (host, signal) => {
      const release = await limiter.acquire(host, signal);
      granted.push(performance.now());
      return release;
    },
  };
  try {
    const started = performance.now();
    const scans = await Promise.all(
      names.map((name) =>
        scanRepository({ image: `${proxy.host}/${name}`, insecure: true, timeoutMs: 120_000, limiter: gate }),
      ),
    );
    if (scans.some((scan) => scan.tags.length !== 3)) throw new Error("a small repository lost tags");
    return {
      elapsed: performance.now() - started,
      requests: scans.reduce((sum, s) => sum + s.requests, 0),
      busiest: busiestWindow(proxy.arrivals, 1000),
      busiestGranted: busiestWindow(granted, 1000),
      inFlight: proxy.maxInFlight,
    };
  } finally {
    await proxy.close();
  }
}

async function limitedScans(registry: string): Promise<void> {
  console.log(`\n4. ${repositories} scans of small repositories through one RegistryLimiter`);
  const names = Array.from({ length: repositories }, (_, i) => `small/app-${i}`);
  await pool(names, pushConcurrency / 4, (name) => pushTags(registry, name, ["1.0.0", "1.1.0", "2.0.0"]));
  const free = await scanAll(registry, names, undefined);
  record(
    `without a limiter: ${free.requests} requests`,
    `${ms(free.elapsed)}, busiest 1 s window ${free.busiest}, ${free.inFlight} in flight`,
  );

  const limiter = new RegistryLimiter({ limit });
  const limited = await scanAll(registry, names, limiter);
  const bound = limit.burst + limit.requestsPerSecond;
  const expectedMs = ((limited.requests - limit.burst) / limit.requestsPerSecond) * 1000;
  record(
    `limited to ${limit.requestsPerSecond}/s, burst ${limit.burst}: ${limited.requests} requests`,
    `${ms(limited.elapsed)} (bucket allows >= ${ms(expectedMs)}), busiest 1 s window ${limited.busiestGranted}`,
    `<= ${bound} (${limit.requestsPerSecond}/s + burst ${limit.burst})`,
    limited.busiestGranted <= bound,
  );
  record(
    "limited: busiest 1 s window as the registry saw it",
    `${limited.busiest} arrivals (network jitter can bunch requests granted ${1000 / limit.requestsPerSecond} ms apart)`,
  );
  record(
    "limited: requests in flight at the registry",
    String(limited.inFlight),
    `<= ${limit.maxConcurrency}`,
    limited.inFlight <= limit.maxConcurrency,
  );
}

function printTable(): void {
  const rows = [
    ["measure", "value", "target", ""],
    ...results.map((r) => [r.measure, r.value, r.target, r.ok === undefined ? "" : r.ok ? "ok" : "MISSED"]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log("");
  for (const row of rows)
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    );
}

async function main(): Promise<void> {
  const registry = await startTestRegistry();
  const storeRoot = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-tags-"));
  try {
    console.log(
      `image scanning bench (node ${process.version}, ${os.cpus().length} CPUs), registry ${registry.host}`,
    );
    console.log(
      "note: the Debian Distribution registry 2.8 ignores `n` on tags/list and returns every tag in one page;\n" +
        "      pagination is measured through a proxy that pages with Link headers, as Docker Hub and GHCR do.",
    );
    const tags = benchTags(tagCount);
    const pushStart = performance.now();
    await pushTags(registry.host, "bench/app", tags);
    console.log(
      `pushed one image under ${tags.length} tags in ${ms(performance.now() - pushStart)} (${pushConcurrency} at once)`,
    );
    const scan = await scanOnce(registry.host, tags);
    await policyEvaluation(scan.tags, storeRoot);
    await idleMemory(scan.tags, storeRoot);
    await limitedScans(registry.host);
    printTable();
    if (extraPageSeen) {
      console.log(
        "\nnote: the last page was full and carried no Link header, so the client asked once more after it\n" +
          "      (src/oci/registry-client.ts nextPage guesses more may follow a full page); a registry that sent\n" +
          "      Link on the earlier pages has none left, so that request could be saved.",
      );
    }
    if (results.some((r) => r.ok === false)) process.exitCode = 1;
  } finally {
    await rm(storeRoot, { recursive: true, force: true });
    await registry.stop();
  }
}

if (childMode) {
  const [root, , , perRepository] = process.argv.slice(3);
  await idleMemoryChild(root!, benchTags(tagCount), Number(perRepository));
} else {
  await main();
}

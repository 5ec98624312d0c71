// The CI API over a store of 10,000 finished builds with 100 log lines each: latency of the
// job builds list (a page of 50) and of a build page (the build, then its events read to `end`
// over server-sent events), p50/p99 over HTTP on loopback; database size and this process's RSS
// (server and store run here). Run: scripts/with-node.sh node bench/ci-api.bench.ts [builds]
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { filesSize, latencies, mib, treeSize } from "./lib/sizes-and-latencies.ts";
import { CiClient } from "../src/ci/api/index.ts";
import { ciHttpServer, noEngine, openCiStore } from "../src/server/ci-http.ts";

const builds = Number(process.argv[2] ?? 10_000);
const jobCount = 20;
const linesPerBuild = 100;
const linesPerAppend = 20;
const samples = 500;

const jobsYaml = Array.from({ length: jobCount }, (_, i) => `  - name: job-${i}\n    plan: [{ get: repo }]`);
const yaml = `resources:\n  - { name: repo, type: time, source: { interval: 1h } }\njobs:\n${jobsYaml.join("\n")}\n`;

const storagePath = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-ci-api-"));
const store = await openCiStore(storagePath);
const password = randomBytes(12).toString("hex");
const server = await ciHttpServer(
  { store, engine: noEngine },
  {
    listen: { host: "127.0.0.1", port: 0 },
    storagePath,
    localUsers: [{ name: "bench", password }],
    version: "bench",
  },
);
try {
  await server.listen();
  const client = await CiClient.login(server.url, "bench", password);
  await client.setConfig("main", "bench", yaml, 0);
  const pipeline = (await store.getPipeline({ team: "main", name: "bench" }))!;
  const jobs = await store.listJobs(pipeline.id);
  const started = performance.now();
  for (let i = 0; i < builds; i++) {
    const build = await store.createJobBuild({ jobId: jobs[i % jobCount]!.id });
    await store.startBuild(build.id, Date.now());
    for (let line = 0; line < linesPerBuild; line += linesPerAppend) {
      const events = Array.from({ length: linesPerAppend }, (_, k) => ({
        type: "log",
        data: { origin: "task-build", stream: "stdout", line: `step ${line + k} of build ${i}: compiling` },
      }));
      await store.appendBuildEvents(build.id, events, Date.now());
    }
    await store.finishBuild(build.id, "succeeded", Date.now());
  }
  const fillSeconds = (performance.now() - started) / 1000;

  const list = await latencies(samples, async (i) => {
    const page = await client.listJobBuilds("main", "bench", `job-${i % jobCount}`, { limit: 50 });
    if (page.builds.length !== Math.min(50, builds / jobCount)) throw new Error("short page");
  });
  const buildPage = await latencies(samples, async (i) => {
    const id = 1 + ((i * 7919) % builds);
    await client.getBuild(id);
    let events = 0;
    for await (const _event of client.buildEvents(id)) events++;
    if (events !== linesPerBuild) throw new Error(`build ${id}: ${events} events`);
  });
  const rss = process.memoryUsage().rss;
  await server.close();
  await store.close();
  const ciDir = path.join(storagePath, "ci");
  console.log(
    `ci api: ${builds} builds × ${linesPerBuild} log lines over ${jobCount} jobs (filled in ${fillSeconds.toFixed(1)} s)`,
  );
  console.log(`  job builds, page of 50: p50 ${list.p50} ms, p99 ${list.p99} ms`);
  console.log(
    `  build page (build + ${linesPerBuild} events over SSE): p50 ${buildPage.p50} ms, p99 ${buildPage.p99} ms`,
  );
  console.log(
    `  database: ${mib(await filesSize(ciDir, (name) => name.startsWith("ci.db")))} MiB; logs: ${mib(await treeSize(path.join(ciDir, "build-logs")))} MiB`,
  );
  console.log(`  process RSS after the requests: ${mib(rss)} MiB`);
} finally {
  await server.close();
  await store.close();
  await rm(storagePath, { recursive: true, force: true });
}

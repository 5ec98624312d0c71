// The CI store with 10,000 builds of 200 log lines each: insert time, database and log sizes,
// and the latency of listing a job's last 50 builds and of reading a build's events (target
// < 50 ms). SQLite by default; with --postgres URL (a server, e.g. `postgresUrl` of a
// `sluice dev up` env.json) a fresh database there, and the latency of a signal between two
// replicas. Run: scripts/with-node.sh node bench/ci-store.bench.ts [builds] [--postgres URL]
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { filesSize, latencies, mib, treeSize } from "./lib/sizes-and-latencies.ts";
import { parsePipeline } from "../src/ci/pipeline/index.ts";
import { SqlCiStore } from "../src/ci/store/index.ts";
import { freshDatabase } from "../test/helpers/postgres.ts";
import { postgresSizes, signalLatency } from "./lib/postgres.ts";

const { values, positionals } = parseArgs({
  options: { postgres: { type: "string" } },
  allowPositionals: true,
});
const builds = Number(positionals[0] ?? 10_000);
const jobCount = 20;
const linesPerBuild = 200;
const linesPerAppend = 20;
const samples = 1000;

const jobsYaml = Array.from(
  { length: jobCount },
  (_, i) => `  - name: job-${i}\n    plan: [{ get: repo, trigger: true }]`,
);
const yaml = `resources:\n  - { name: repo, type: git, source: { uri: https://git.example/app.git } }\njobs:\n${jobsYaml.join("\n")}\n`;
const parsed = parsePipeline(yaml);
if (!parsed.ok) throw new Error("the bench pipeline is invalid");

const dataDir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-ci-store-"));
const database = values.postgres ? await freshDatabase(values.postgres) : undefined;
const store = database
  ? await SqlCiStore.openPostgres({ url: database.url })
  : await SqlCiStore.openSqlite({ dataDir });
try {
  const set = await store.setPipeline({
    team: "main",
    name: "bench",
    configYaml: yaml,
    config: parsed.pipeline,
    expectedVersion: 0,
    pausedWhenCreated: false,
  });
  if (!set.ok) throw new Error("conflict");
  const jobs = await store.listJobs(set.pipeline.id);
  const repo = (await store.getResource(set.pipeline.id, "repo"))!;

  let rawLogBytes = 0;
  const started = performance.now();
  for (let i = 0; i < builds; i++) {
    const [version] = await store.saveVersions(repo.resourceConfigId, [{ version: { ref: `sha-${i}` } }]);
    const build = await store.createJobBuild({ jobId: jobs[i % jobCount]!.id });
    await store.recordBuildInputs(build.id, [{ name: "repo", resourceId: repo.id, versionId: version!.id }]);
    await store.startBuild(build.id, Date.now());
    for (let line = 0; line < linesPerBuild; line += linesPerAppend) {
      const events = Array.from({ length: linesPerAppend }, (_, k) => ({
        type: "log",
        data: {
          origin: { id: "task-build", source: "stdout" },
          payload: `${new Date().toISOString()} step ${line + k} of build ${i}: compiling module ${k}\n`,
        },
      }));
      const written = await store.appendBuildEvents(build.id, events, Date.now());
      for (const e of written) rawLogBytes += Buffer.byteLength(JSON.stringify(e)) + 1;
    }
    await store.finishBuild(build.id, i % 7 === 0 ? "failed" : "succeeded", Date.now());
  }
  const insertSeconds = (performance.now() - started) / 1000;

  const listLatency = await latencies(samples, async (i) => {
    await store.listJobBuilds(jobs[i % jobCount]!.id, { limit: 50 });
  });
  const readLatency = await latencies(samples, async (i) => {
    await store.readBuildEvents(1 + ((i * 7919) % builds));
  });

  const signal = database && (await signalLatency(database.url, samples));
  await store.close(); // checkpoints the WAL into the database file
  const { dbBytes, logBytes } = database
    ? await postgresSizes(database.url)
    : {
        dbBytes: await filesSize(dataDir, (name) => name.startsWith("ci.db")),
        logBytes: await treeSize(path.join(dataDir, "build-logs")),
      };
  console.log(
    `ci store (${database ? "PostgreSQL" : "SQLite"}): ${builds} builds × ${linesPerBuild} log lines over ${jobCount} jobs`,
  );
  console.log(
    `  insert: ${insertSeconds.toFixed(1)} s (${((insertSeconds * 1000) / builds).toFixed(2)} ms per build)`,
  );
  console.log(
    `  database: ${mib(dbBytes)} MiB; logs: ${mib(logBytes)} MiB gzip (${mib(rawLogBytes)} MiB as written)`,
  );
  console.log(
    `  list last 50 builds of a job: p50 ${listLatency.p50} ms, p99 ${listLatency.p99} ms (target < 50 ms)`,
  );
  console.log(
    `  read a build's ${linesPerBuild} events: p50 ${readLatency.p50} ms, p99 ${readLatency.p99} ms (target < 50 ms)`,
  );
  if (signal)
    console.log(`  a signal from one replica to another: p50 ${signal.p50} ms, p99 ${signal.p99} ms`);
} finally {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
  await database?.drop();
}

// The CI checker and scheduler at scale: 500 pipelines × 5 resources (each a `trigger: true`
// input, so every resource is checked every minute), a resource of our own that finds a new
// version each simulated hour, on a simulated clock with the checker's 10 s tick.
// Prints: checker CPU per 1m interval, the database after 24 h of simulated checks (the checks
// between two hourly versions only update rows in place, so each simulated hour runs the
// minute in which its versions appear), and the latency from a new version to a started build,
// with a webhook (checkResource, real loops) and with periodic checks only (simulated tick).
// Run: scripts/with-node.sh node bench/ci-checker.bench.ts [pipelines] [hours]
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CiEngine } from "../src/ci/engine/engine.ts";
import type { BuildLauncher } from "../src/ci/engine/launcher.ts";
import { parsePipeline } from "../src/ci/pipeline/index.ts";
import type { BuiltinResource, Version } from "../src/ci/resources/resource.ts";
import {
  SqlCiStore,
  type BuildRecord,
  type BuildStatus,
  type PipelineRecord,
} from "../src/ci/store/index.ts";
import { staticVarSource } from "../src/ci/vars/static-vars.ts";
import { silentLogger } from "../src/runtime/logger.ts";

const pipelines = Number(process.argv[2] ?? 500);
const hours = Number(process.argv[3] ?? 24);
const RESOURCES = 5;
const TICK = 10_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A `git` resource whose every source gets a new version each simulated hour (plus bumps from the bench). */
class HourlyGit implements BuiltinResource {
  readonly type = "git";
  checks = 0;
  readonly bumps = new Map<string, number>();
  readonly clock: { now: number };
  constructor(clock: { now: number }) {
    this.clock = clock;
  }

  check(source: Record<string, unknown>, from: Version | undefined): Promise<Version[]> {
    this.checks++;
    const uri = String(source["uri"]);
    const ref = `${Math.floor(this.clock.now / HOUR)}.${this.bumps.get(uri) ?? 0}`;
    return Promise.resolve(from && from["ref"] !== ref ? [from, { ref }] : [{ ref }]);
  }
  get(): never {
    throw new Error("unused");
  }
  put(): never {
    throw new Error("unused");
  }
}

/** Records when each build was handed over and ends it at once. */
class TimingLauncher implements BuildLauncher {
  readonly launched = new Map<number, number>();
  readonly store: SqlCiStore;
  constructor(store: SqlCiStore) {
    this.store = store;
  }
  async run(build: BuildRecord): Promise<BuildStatus> {
    this.launched.set(build.jobId!, performance.now());
    await this.store.finishBuild(build.id, "succeeded", Date.now());
    return "succeeded";
  }
  abort = () => false;
  follow = () => () => undefined;
}

const pipelineYaml = (i: number) => {
  const resources = Array.from(
    { length: RESOURCES },
    (_, r) => `  - { name: r${r}, type: git, source: { uri: "https://git.example/p${i}/r${r}.git" } }`,
  );
  const jobs = Array.from(
    { length: RESOURCES },
    (_, r) => `  - { name: j${r}, plan: [{ get: r${r}, trigger: true }] }`,
  );
  return `resources:\n${resources.join("\n")}\njobs:\n${jobs.join("\n")}\n`;
};

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))] ??
  NaN;
const ms = (value: number) => `${value.toFixed(1)} ms`;

const dataDir = await mkdtemp(path.join(os.tmpdir(), "sluice-bench-ci-checker-"));
const store = await SqlCiStore.openSqlite({ dataDir });
const clock = { now: Date.parse("2026-01-01T00:00:00Z") };
const git = new HourlyGit(clock);
const launcher = new TimingLauncher(store);
const engineOptions = {
  store,
  launcher,
  vars: () => staticVarSource({}, "none"),
  logger: silentLogger(),
  resources: new Map([["git", git]]),
};
try {
  const records: PipelineRecord[] = [];
  for (let i = 0; i < pipelines; i++) {
    const yaml = pipelineYaml(i);
    const parsed = parsePipeline(yaml);
    if (!parsed.ok) throw new Error("the bench pipeline is invalid");
    const set = await store.setPipeline({
      team: "main",
      name: `p${i}`,
      configYaml: yaml,
      config: parsed.pipeline,
      expectedVersion: 0,
      pausedWhenCreated: false,
    });
    if (!set.ok) throw new Error("conflict");
    records.push(set.pipeline);
  }
  const sim = new CiEngine({ ...engineOptions, now: () => clock.now });
  const touched = new Set<number>();
  sim.schedule = (id) => void touched.add(id);
  const schedulePending = async () => {
    for (const id of touched) await sim.scheduler.schedulePipeline(id);
    touched.clear();
  };

  // checker CPU: six 10 s ticks make a 1m interval; the first interval is the cold one
  const cpuPerInterval: number[] = [];
  for (let interval = 0; interval < 4; interval++) {
    const cpu = process.cpuUsage();
    const checksBefore = git.checks;
    for (let t = 0; t < 6; t++) {
      await sim.checker.tick();
      clock.now += TICK;
    }
    const used = process.cpuUsage(cpu);
    cpuPerInterval.push((used.user + used.system) / 1000);
    console.log(
      `interval ${interval}: ${git.checks - checksBefore} checks, checker CPU ${ms(cpuPerInterval.at(-1)!)}`,
    );
    await schedulePending();
  }

  // 24 h: each simulated hour, the minute in which every resource finds its new version
  const started = performance.now();
  for (let hour = 1; hour <= hours; hour++) {
    clock.now = Date.parse("2026-01-01T00:00:00Z") + hour * HOUR + 30_000;
    await sim.checker.tick();
    await schedulePending();
  }
  const db = (await stat(path.join(dataDir, "ci.db"))).size;
  const wal = await stat(path.join(dataDir, "ci.db-wal")).then(
    (s) => s.size,
    () => 0,
  );
  console.log(
    `${hours} h simulated in ${((performance.now() - started) / 1000).toFixed(1)} s: ci.db ${(db / 1e6).toFixed(1)} MB (+ WAL ${(wal / 1e6).toFixed(1)} MB), ${git.checks} checks in all`,
  );

  // a scheduling pass over every pipeline when nothing is new (what the scheduler does every 10 s)
  const idle = process.cpuUsage();
  const idleStarted = performance.now();
  for (const p of await store.listPipelines("main")) await sim.scheduler.schedule(p);
  const idleCpu = process.cpuUsage(idle);
  console.log(
    `idle scheduling pass over ${pipelines} pipelines: ${ms(performance.now() - idleStarted)}, CPU ${ms((idleCpu.user + idleCpu.system) / 1000)}`,
  );

  // periodic latency: a version appears at a random moment; the next due tick finds it
  const periodic: number[] = [];
  for (let sample = 0; sample < 10; sample++) {
    const p = records[sample]!;
    const uri = `https://git.example/p${p.name.slice(1)}/r0.git`;
    clock.now += Math.floor(Math.random() * MINUTE);
    const appearedAt = clock.now;
    git.bumps.set(uri, sample + 1);
    const job = (await store.getJob(p.id, "j0"))!;
    launcher.launched.delete(job.id);
    while (!launcher.launched.has(job.id)) {
      clock.now = Math.ceil((clock.now + 1) / TICK) * TICK;
      const real = performance.now();
      await sim.checker.tick();
      await schedulePending();
      await sim.scheduler.buildsEnded();
      if (launcher.launched.has(job.id)) periodic.push(clock.now - appearedAt + (performance.now() - real));
    }
  }
  console.log(
    `periodic new version → build started: p50 ${ms(percentile(periodic, 50))}, max ${ms(Math.max(...periodic))} (interval 1m)`,
  );

  // webhook latency: the real loops run; checkResource finds the version and schedules at once
  const live = new CiEngine({ ...engineOptions, now: Date.now, checkTick: TICK, scheduleTick: TICK });
  const stop = new AbortController();
  clock.now = Date.now();
  const { done } = await live.start(stop.signal);
  const webhook: number[] = [];
  for (let sample = 0; sample < 20; sample++) {
    const p = records[(sample * 7) % records.length]!;
    const uri = `https://git.example/p${p.name.slice(1)}/r1.git`;
    git.bumps.set(uri, 100 + sample);
    const job = (await store.getJob(p.id, "j1"))!;
    launcher.launched.delete(job.id);
    const at = performance.now();
    await live.checkResource(p.id, "r1");
    while (!launcher.launched.has(job.id)) await new Promise((resolve) => setTimeout(resolve, 1));
    webhook.push(launcher.launched.get(job.id)! - at);
  }
  stop.abort();
  await done;
  console.log(
    `webhook new version → build started: p50 ${ms(percentile(webhook, 50))}, p95 ${ms(percentile(webhook, 95))}`,
  );
} finally {
  await store.close();
  await rm(dataDir, { recursive: true, force: true });
}

/**
 * What the verbs that run on this machine's worker share: `--registry-mirror`, `--cache-dir`,
 * KEY=VALUE flags, and jobs' lines printed prefixed with their names.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import type { Outcome } from "../../ci/build/index.ts";
import { LocalWorker } from "../../ci/local/local-worker.ts";
import { cacheDir } from "../../common/toolchain.ts";
import { table } from "./output.ts";
import type { JobHost } from "../../ci/projects/job-host.ts";
import type { JobReport } from "../../ci/projects/run-graph.ts";
import { parseRegistryMirror, RegistryMirrors } from "../../oci/mirrors.ts";
import { collectRepeated, usageError } from "../shared/flags.ts";

export function mirrorsOf(values: readonly string[] | undefined): RegistryMirrors {
  try {
    return new RegistryMirrors((values ?? []).map(parseRegistryMirror));
  } catch (error) {
    throw usageError(`--registry-mirror: ${(error as Error).message}`);
  }
}

export function addLocalWorkerFlags(command: Command): Command {
  return command
    .option(
      "--registry-mirror <host=mirror>",
      "read images of HOST from MIRROR (host[:port][/prefix]) (repeatable)",
      collectRepeated,
    )
    .option(
      "--cache-dir <dir>",
      "the image builder's state and the unpacked images (default: ~/.cache/sluice)",
    );
}

export function keyValueFlags(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const value of values ?? []) {
    const equals = value.indexOf("=");
    if (equals <= 0) throw usageError(`${flag} ${JSON.stringify(value)}: expected KEY=VALUE`);
    pairs[value.slice(0, equals)] = value.slice(equals + 1);
  }
  return pairs;
}

export function describeReport(report: JobReport): string {
  const state = report.allowedFailure ? `${report.state} (allowed to fail)` : report.state;
  return report.reason ? `${state}: ${report.reason}` : state;
}

/** Prints each job's lines prefixed with its name. */
export function printingHost(width: number, run: LocalWorker): JobHost {
  return {
    begin: (job) => {
      const print = (line: string, stream: "stdout" | "stderr" = "stdout") =>
        (stream === "stderr" ? process.stderr : process.stdout).write(
          `${job.name.padEnd(width)} | ${line}\n`,
        );
      return Promise.resolve({
        log: print,
        runTask: (task) => run.runTask({ ...task, onLine: print }),
        end: () => Promise.resolve(),
      });
    },
  };
}

export interface LocalRun {
  worker: LocalWorker;
  /** Scratch space, removed when the run ends. */
  work: string;
  /** `--cache-dir`, or the user's cache. */
  stateDir: string;
  /** Fires on Ctrl-C. */
  signal: AbortSignal;
}

/** Opens this machine's worker for a verb (`--registry-mirror`, `--cache-dir`), with Ctrl-C aborting; closes it after `body`. */
export async function withLocalWorker<T>(
  flags: { registryMirror?: string[] | undefined; cacheDir?: string | undefined },
  prefix: string,
  body: (run: LocalRun) => Promise<T>,
): Promise<T> {
  const work = await mkdtemp(path.join(os.tmpdir(), prefix));
  const stateDir = flags.cacheDir ? path.resolve(flags.cacheDir) : undefined;
  const worker = await LocalWorker.open({
    workDir: work,
    mirrors: mirrorsOf(flags.registryMirror),
    stateDir,
  });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  try {
    return await body({ worker, work, stateDir: stateDir ?? cacheDir(), signal: abort.signal });
  } finally {
    process.removeListener("SIGINT", onSignal);
    await worker.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** Prints each job's end (`name | succeeded in 1.2 s`) on stderr. */
export function progressPrinter(width: number): (job: string, report: JobReport) => void {
  const started = new Map<string, number>();
  return (job, report) => {
    if (report.state === "running") started.set(job, Date.now());
    else if (report.state !== "pending") {
      const seconds = started.has(job) ? ` in ${((Date.now() - started.get(job)!) / 1000).toFixed(1)} s` : "";
      process.stderr.write(`${job.padEnd(width)} | ${describeReport(report)}${seconds}\n`);
    }
  };
}

/** The jobs' states as a table, then the run's verdict; sets the exit status. */
export function reportRun(what: string, outcome: Outcome, reports: ReadonlyMap<string, JobReport>): void {
  table([["JOB", "STATUS"], ...[...reports].map(([job, report]) => [job, describeReport(report)])]);
  process.stderr.write(`${what} ${outcome}\n`);
  process.exitCode = { succeeded: 0, failed: 1, errored: 1, aborted: 3 }[outcome];
}

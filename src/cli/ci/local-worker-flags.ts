/**
 * What the verbs that run on this machine's worker share: `--registry-mirror`, `--cache-dir`,
 * KEY=VALUE flags, and jobs' lines printed prefixed with their names.
 */
import type { Command } from "commander";
import type { LocalWorker } from "../../ci/local/local-worker.ts";
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

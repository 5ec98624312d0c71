/**
 * `sluice logs [--kind K] [--name N] [-n NS] [--level L] [-f]`: the server's structured log lines,
 * filtered and printed as `flux logs` prints them. In-cluster from the server's Pods; a server
 * running outside the cluster is read with `--file PATH` (`-` for standard input).
 */
import { Option, type Command } from "commander";
import { usageError } from "../shared/flags.ts";
import { addKubeFlags, defaultNamespace, withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { formatEntry, isLogLevel, matches, parseLogLine, type LogFilter, type LogLevel } from "./log-line.ts";
import { readLogFile, readPodLogs, readStream, type LineSink } from "./sources.ts";

interface LogsFlags extends KubeFlags {
  kind?: string;
  name?: string;
  level?: LogLevel;
  allNamespaces: boolean;
  fluxNamespace: string;
  follow: boolean;
  tail?: number;
  file?: string;
}

function printer(filter: LogFilter): LineSink {
  return (line) => {
    const entry = parseLogLine(line);
    if (entry && matches(entry, filter)) process.stdout.write(`${formatEntry(entry)}\n`);
  };
}

async function logs(flags: LogsFlags, command: Command): Promise<void> {
  const namespaceGiven = command.getOptionValueSource("namespace") === "cli";
  const sink = printer({
    level: flags.level,
    kind: flags.kind,
    name: flags.name,
    namespace: flags.allNamespaces || !namespaceGiven ? undefined : flags.namespace,
  });
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  if (flags.file === "-") return readStream(process.stdin, sink);
  if (flags.file) return readLogFile(flags.file, sink, { follow: flags.follow, signal: stop.signal });
  await withCluster(flags, (client) =>
    readPodLogs(client, flags.fluxNamespace, sink, {
      follow: flags.follow,
      tail: flags.tail,
      signal: stop.signal,
    }),
  );
}

const level = (value: string): LogLevel => {
  if (!isLogLevel(value)) throw usageError(`invalid --level "${value}"`, "use debug, info, warn or error");
  return value;
};

const count = (value: string): number => {
  if (!/^\d+$/.test(value)) throw usageError(`invalid --tail "${value}"`, "use a number of lines");
  return Number(value);
};

export function registerLogsCommand(program: Command): void {
  addKubeFlags(
    program
      .command("logs")
      .description("show the server's log lines, filtered by object and level (as flux logs)")
      .option("--kind <kind>", "only lines about objects of this kind (GitRepository, Kustomization, …)")
      .option("--name <name>", "only lines about objects of this name")
      .addOption(
        new Option("--level <level>", "the lowest level shown (debug, info, warn, error)").argParser(level),
      )
      .option(
        "-A, --all-namespaces",
        "lines about objects of every namespace (default unless -n is given)",
        false,
      )
      .option("--flux-namespace <ns>", "the namespace Sluice is installed in", defaultNamespace)
      .option("-f, --follow", "keep printing lines as they are written", false)
      .addOption(new Option("--tail <lines>", "start with the last N lines of each Pod").argParser(count))
      .option("--file <path>", "read a local server's log file instead of the cluster's Pods (- for stdin)"),
  ).action(logs);
}

/**
 * `sluice ci containers` and `sluice ci intercept`: fly's verbs for the containers running on the
 * worker — list them, and run a shell (or any command) inside one, with a terminal when this one
 * is, exiting with the command's status.
 */
import type { Command } from "commander";
import type { ApiContainer } from "../../ci/api/client.ts";
import { SluiceError } from "../../common/errors.ts";
import { usageError } from "../shared/flags.ts";
import { printJson, table } from "./output.ts";
import { pipelineAnd, withSession, type Session } from "./session.ts";

interface InterceptFlags {
  job?: string;
  build?: string;
  step?: string;
}

function matching(containers: ApiContainer[], flags: InterceptFlags): ApiContainer[] {
  const [pipeline, job] = flags.job ? pipelineAnd(flags.job, "-j") : [undefined, undefined];
  return containers.filter(
    (c) =>
      (pipeline === undefined || (c.pipeline_name === pipeline && c.job_name === job)) &&
      (flags.build === undefined || String(c.build_id) === flags.build) &&
      (flags.step === undefined || c.step_name === flags.step),
  );
}

const rowsOf = (containers: ApiContainer[]) =>
  containers.map((c) => [
    c.id,
    c.worker_name,
    c.pipeline_name ? `${c.pipeline_name}/${c.job_name}` : "",
    c.build_id === null ? "" : String(c.build_id),
    c.type,
    c.step_name,
  ]);
const header = ["handle", "worker", "job", "build id", "type", "name"];

async function intercept({ client, team }: Session, flags: InterceptFlags, argv: string[]): Promise<void> {
  const found = matching(await client.listContainers(team), flags);
  if (found.length === 0) {
    throw new SluiceError(
      "no containers matched your search parameters! they may have expired if your build hasn't recently finished",
      {
        hint: "containers live while their step runs: see them with 'sluice ci containers'",
      },
    );
  }
  if (found.length > 1) {
    table([header, ...rowsOf(found)]);
    throw usageError("several containers match: narrow the search with -b BUILD or -s STEP");
  }
  const { stdin, stdout, stderr } = process;
  const tty = stdin.isTTY && stdout.isTTY ? { rows: stdout.rows, cols: stdout.columns } : undefined;
  if (tty) stdin.setRawMode(true);
  try {
    const status = await client.hijack(
      team,
      found[0]!.id,
      { argv: argv.length > 0 ? argv : ["sh"], tty },
      { stdin, stdout, stderr },
    );
    process.exitCode = status;
  } finally {
    if (tty) stdin.setRawMode(false);
  }
}

export function registerContainerCommands(ci: Command): void {
  ci.command("containers")
    .alias("cs")
    .description("list the containers running on the worker for the team")
    .option("--json", "print JSON", false)
    .action(async (flags: { json: boolean }, command: Command) => {
      const containers = await withSession(command, ({ client, team }) => client.listContainers(team));
      if (flags.json) return printJson(containers);
      table([header, ...rowsOf(containers)]);
    });
  ci.command("intercept")
    .alias("i")
    .description("run a shell (or COMMAND) inside a running step's container, as fly intercept")
    .option("-j, --job <pipeline/job>", "the job whose build runs the step")
    .option("-b, --build <id>", "the build's id")
    .option("-s, --step <name>", "the step's name")
    .argument("[command...]", "what to run (default: sh); after -- when it has options: -- sh -c 'ls'")
    .action((argv: string[], flags: InterceptFlags, command: Command) =>
      withSession(command, (session) => intercept(session, flags, argv)),
    );
}

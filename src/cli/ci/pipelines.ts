/**
 * fly's pipeline verbs: `set-pipeline -p NAME -c FILE [vars] [-n]` (the change shown as a diff
 * and confirmed; a new pipeline starts paused), `get-pipeline`, `pipelines`, `pause-pipeline`,
 * `unpause-pipeline`, `destroy-pipeline`.
 */
import type { Command } from "commander";
import { formatIssue, parsePipeline } from "../../ci/pipeline/index.ts";
import { SluiceError } from "../../common/errors.ts";
import { unifiedDiff } from "../../common/line-diff.ts";
import { usageError } from "../shared/flags.ts";
import { confirm } from "../shared/prompt.ts";
import { evaluatePipelineTemplate, pipelineYaml } from "./pipeline-template.ts";
import { withSession } from "./session.ts";
import { addVarFlags, varFlagsOf, type VarFlagOptions } from "./var-flags.ts";

interface SetFlags extends VarFlagOptions {
  pipeline: string;
  config: string;
  nonInteractive: boolean;
  dryRun: boolean;
  checkCreds: boolean;
}

/** Removed lines red, added lines green, as fly shows a pipeline's change on a terminal. */
function coloured(diff: string): string {
  return diff.replace(/^([-+])(?![-+]{2} ).*$/gm, (line, sign: string) =>
    sign === "-" ? `\x1b[31m${line}\x1b[0m` : `\x1b[32m${line}\x1b[0m`,
  );
}

async function setPipeline(flags: SetFlags, command: Command): Promise<void> {
  const doc = await evaluatePipelineTemplate(flags.config, varFlagsOf(flags));
  const parsed = parsePipeline(pipelineYaml(doc));
  for (const warning of parsed.warnings) process.stderr.write(`WARNING: ${formatIssue(warning)}\n`);
  if (!parsed.ok) {
    for (const error of parsed.errors) process.stderr.write(`error: ${formatIssue(error)}\n`);
    throw new SluiceError("configuration invalid: nothing was set");
  }
  const yaml = pipelineYaml(parsed.pipeline);
  await withSession(command, async ({ client, team, targetName }) => {
    const current = await client.getConfig(team, flags.pipeline).catch(() => undefined);
    const before = current?.configYaml ?? "";
    if (before === yaml) {
      process.stdout.write("no changes to apply\n");
      return;
    }
    const diff = unifiedDiff(before, yaml, [`${flags.pipeline} (current)`, `${flags.pipeline} (new)`]);
    process.stdout.write(process.stdout.isTTY ? coloured(diff) : diff);
    if (flags.dryRun) {
      process.stdout.write("dry run: nothing was set\n");
      return;
    }
    await confirm("apply configuration?", flags.nonInteractive, "-n");
    const answer = await client.setConfig(team, flags.pipeline, yaml, current?.version ?? 0, {
      checkCreds: flags.checkCreds,
    });
    for (const warning of answer.warnings) process.stderr.write(`WARNING: ${warning}\n`);
    if (!answer.created) {
      process.stdout.write("configuration updated\n");
      return;
    }
    process.stdout.write(
      `pipeline created!\n\nthe pipeline is currently paused. to unpause, run:\n    sluice ci -t ${targetName} unpause-pipeline -p ${flags.pipeline}\n`,
    );
  });
}

function pipelineVerb(
  ci: Command,
  name: string,
  description: string,
  run: (session: Parameters<Parameters<typeof withSession>[1]>[0], pipeline: string) => Promise<string>,
): Command {
  return ci
    .command(name)
    .description(description)
    .requiredOption("-p, --pipeline <name>", "the pipeline")
    .action(async (flags: { pipeline: string }, command: Command) => {
      process.stdout.write(`${await withSession(command, (session) => run(session, flags.pipeline))}\n`);
    });
}

/** pause-pipeline / unpause-pipeline: `-p NAME`, or `-a` for every pipeline of the team. */
function pausingVerb(ci: Command, name: string, description: string, paused: boolean): void {
  ci.command(name)
    .description(description)
    .option("-p, --pipeline <name>", "the pipeline")
    .option("-a, --all", "every pipeline of the team", false)
    .action(async (flags: { pipeline?: string; all: boolean }, command: Command) => {
      if (flags.all === (flags.pipeline !== undefined)) throw usageError(`${name} needs -p PIPELINE or -a`);
      await withSession(command, async ({ client, team }) => {
        const names = flags.all ? (await client.listPipelines(team)).map((p) => p.name) : [flags.pipeline!];
        for (const pipeline of names) {
          await (paused ? client.pausePipeline(team, pipeline) : client.unpausePipeline(team, pipeline));
          process.stdout.write(`${paused ? "paused" : "unpaused"} '${pipeline}'\n`);
        }
      });
    });
}

export function registerPipelineCommands(ci: Command): void {
  addVarFlags(
    ci
      .command("set-pipeline")
      .alias("sp")
      .description("create or update a pipeline from a file, showing the change first")
      .requiredOption("-p, --pipeline <name>", "the pipeline")
      .requiredOption("-c, --config <file>", "the pipeline configuration file")
      .option("-n, --non-interactive", "apply without asking", false)
      .option("-d, --dry-run", "show the change only", false)
      .option(
        "--check-creds",
        "refuse the config unless every ((var)) resolves from the server's credential manager",
        false,
      ),
  ).action(setPipeline);
  pipelineVerb(ci, "get-pipeline", "print a pipeline's configuration as YAML", async ({ client, team }, p) =>
    pipelineYaml((await client.getConfig(team, p)).config).trimEnd(),
  );
  pausingVerb(ci, "pause-pipeline", "stop scheduling a pipeline's builds", true);
  pausingVerb(ci, "unpause-pipeline", "schedule a pipeline's builds again", false);
  ci.command("destroy-pipeline")
    .description("delete a pipeline with its builds and versions")
    .requiredOption("-p, --pipeline <name>", "the pipeline")
    .option("-n, --non-interactive", "destroy without asking", false)
    .action(async (flags: { pipeline: string; nonInteractive: boolean }, command: Command) => {
      await confirm(`destroy pipeline '${flags.pipeline}' with its builds?`, flags.nonInteractive, "-n");
      await withSession(command, ({ client, team }) => client.destroyPipeline(team, flags.pipeline));
      process.stdout.write(`\`${flags.pipeline}\` deleted\n`);
    });
  ci.command("pipelines")
    .alias("ps")
    .description("list the team's pipelines")
    .option("--json", "print JSON", false)
    .action(async (flags: { json: boolean }, command: Command) => {
      const pipelines = await withSession(command, ({ client, team }) => client.listPipelines(team));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(pipelines, null, 2)}\n`);
        return;
      }
      const width = Math.max(4, ...pipelines.map((p) => p.name.length));
      process.stdout.write(`${"name".padEnd(width)}  paused  archived\n`);
      for (const p of pipelines) {
        process.stdout.write(
          `${p.name.padEnd(width)}  ${(p.paused ? "yes" : "no").padEnd(6)}  ${p.archived ? "yes" : "no"}\n`,
        );
      }
    });
}

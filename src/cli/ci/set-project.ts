/**
 * `sluice ci set-project -p NAME --repo URL --format gitlab|github [--branch main] [--file PATH]
 * [--username U --password P | --private-key-file F] [--variables-secret SECRET]`: registers a
 * repository whose own CI file runs on each push. The credentials go to a Secret of the team's
 * namespace on the server and are never printed; the Secret named by --variables-secret holds
 * the project's variables (masked in logs).
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { usageError } from "../shared/flags.ts";
import { withSession } from "./session.ts";

interface SetProjectFlags {
  project: string;
  repo: string;
  format: string;
  branch?: string;
  file?: string;
  username?: string;
  password?: string;
  privateKeyFile?: string;
  variablesSecret?: string;
  defaultImage?: string;
}

async function setProject(flags: SetProjectFlags, command: Command): Promise<void> {
  if (flags.format !== "gitlab" && flags.format !== "github")
    throw usageError(`--format ${flags.format}: expected gitlab or github`);
  if ((flags.username === undefined) !== (flags.password === undefined))
    throw usageError("--username and --password go together");
  if (flags.username !== undefined && flags.privateKeyFile !== undefined)
    throw usageError("give --username/--password or --private-key-file, not both");
  const privateKey =
    flags.privateKeyFile === undefined
      ? undefined
      : await readFile(flags.privateKeyFile, "utf8").catch(() => {
          throw usageError(`--private-key-file ${flags.privateKeyFile}: cannot read it`);
        });
  await withSession(command, async ({ client, team }) => {
    const answer = await client.setProject(team, flags.project, {
      format: flags.format,
      repo: flags.repo,
      ...(flags.branch && { branch: flags.branch }),
      ...(flags.file && { file: flags.file }),
      ...(flags.username !== undefined && { username: flags.username, password: flags.password }),
      ...(privateKey !== undefined && { private_key: privateKey }),
      ...(flags.variablesSecret && { variables_secret: flags.variablesSecret }),
      ...(flags.defaultImage && { default_image: flags.defaultImage }),
    });
    process.stdout.write(
      `project ${answer.name} set: ${answer.file} runs on each push (credentials: ${answer.credentials})\n` +
        `for instant runs, point the repository's push webhook (POST) at:\n  ${client.url}${answer.webhook_path}\n`,
    );
  });
}

export function registerSetProjectCommand(ci: Command): void {
  ci.command("trigger-project")
    .description("run a project's head now: GitLab's web pipeline, GitHub's workflow_dispatch")
    .requiredOption("-p, --project <name>", "the project")
    .action(async (flags: { project: string }, command: Command) =>
      withSession(command, async ({ client, team }) => {
        await client.triggerProject(team, flags.project);
        process.stdout.write(
          `project ${flags.project}: a run was requested; follow it with builds -p ${flags.project}\n`,
        );
      }),
    );
  ci.command("set-project")
    .description("run a repository's own .gitlab-ci.yml or GitHub workflows on each push to it")
    .requiredOption("-p, --project <name>", "the project (a pipeline of the team)")
    .requiredOption("--repo <url>", "the git repository")
    .requiredOption("--format <format>", "gitlab or github")
    .option("--branch <branch>", "the branch whose pushes run (default main)")
    .option("--file <path>", "the CI file (default .gitlab-ci.yml, or .github/workflows)")
    .option("--username <user>", "the repository's username (with --password)")
    .option("--password <password>", "the repository's password or token")
    .option("--private-key-file <file>", "an SSH private key for the repository")
    .option("--variables-secret <secret>", "a Secret of the team's namespace whose keys are CI variables")
    .option("--default-image <ref>", "the image of jobs that name none (default alpine:latest)")
    .action(setProject);
}

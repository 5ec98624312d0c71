/**
 * fly's team verbs: `teams [-d] [--json]`, `set-team -n TEAM --local-user NAME
 * --service-account NS:NAME [--non-interactive]`, `destroy-team -n TEAM`, `rename-team -o OLD
 * -n NEW`. Setting, destroying and renaming need an admin (a member of main).
 */
import type { Command } from "commander";
import { collectRepeated, usageError } from "../shared/flags.ts";
import { confirm } from "../shared/prompt.ts";
import { printJson, table } from "./output.ts";
import { withSession } from "./session.ts";

interface SetTeamFlags {
  team: string;
  localUser: string[];
  serviceAccount: string[];
  nonInteractive: boolean;
}

function members(flags: SetTeamFlags): string[] {
  const accounts = flags.serviceAccount.map((value) => {
    const [namespace, name, extra] = value.split(":");
    if (!namespace || !name || extra !== undefined)
      throw usageError(`--service-account ${value}: expected NAMESPACE:NAME`);
    return `system:serviceaccount:${namespace}:${name}`;
  });
  const users = [...flags.localUser.map((name) => `local:${name}`), ...accounts];
  if (users.length === 0)
    throw usageError("set-team needs a member: --local-user NAME or --service-account NS:NAME");
  return users;
}

export function registerTeamCommands(ci: Command): void {
  ci.command("teams")
    .alias("t")
    .description("list the teams you may see")
    .option("-d, --details", "show each team's members", false)
    .option("--json", "print JSON", false)
    .action(async (flags: { details: boolean; json: boolean }, command: Command) => {
      const teams = await withSession(command, ({ client }) => client.listTeams());
      if (flags.json) return printJson(teams);
      if (!flags.details) return table([["name"], ...teams.map((t) => [t.name])]);
      table([["name", "users"], ...teams.map((t) => [t.name, t.auth.owner.users.join(",") || "none"])]);
    });
  ci.command("set-team")
    .alias("st")
    .description("create a team or replace its members (admins only)")
    .requiredOption("-n, --team-name <name>", "the team")
    .option("--local-user <name>", "a local user of the server (repeatable)", collectRepeated, [])
    .option(
      "--service-account <namespace:name>",
      "a Kubernetes ServiceAccount (repeatable)",
      collectRepeated,
      [],
    )
    .option("--non-interactive", "set without asking", false)
    .action(async (flags: Omit<SetTeamFlags, "team"> & { teamName: string }, command: Command) => {
      const users = members({ ...flags, team: flags.teamName });
      process.stdout.write(
        `setting team: ${flags.teamName}\n\nusers:\n${users.map((u) => `- ${u}`).join("\n")}\n\n`,
      );
      await confirm("apply team configuration?", flags.nonInteractive, "--non-interactive");
      const { created } = await withSession(command, ({ client }) => client.setTeam(flags.teamName, users));
      process.stdout.write(`team ${created ? "created" : "updated"}\n`);
    });
  ci.command("destroy-team")
    .alias("dt")
    .description("delete a team with its pipelines and builds (admins only)")
    .requiredOption("-n, --team-name <name>", "the team")
    .option("--non-interactive", "destroy without asking", false)
    .action(async (flags: { teamName: string; nonInteractive: boolean }, command: Command) => {
      await confirm(
        `destroy team '${flags.teamName}' with all its pipelines and builds?`,
        flags.nonInteractive,
        "--non-interactive",
      );
      await withSession(command, ({ client }) => client.destroyTeam(flags.teamName));
      process.stdout.write(`\`${flags.teamName}\` deleted\n`);
    });
  ci.command("rename-team")
    .alias("rt")
    .description("rename a team (admins only); its ((vars)) then come from concourse-NEW")
    .requiredOption("-o, --old-name <name>", "the team's name")
    .requiredOption("-n, --new-name <name>", "its new name")
    .action(async (flags: { oldName: string; newName: string }, command: Command) => {
      await withSession(command, ({ client }) => client.renameTeam(flags.oldName, flags.newName));
      process.stdout.write(`team successfully renamed to ${flags.newName}\n`);
    });
}

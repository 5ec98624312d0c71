/**
 * fly's team verbs: `teams [-d] [--json]`, `set-team -n TEAM --local-user NAME
 * --service-account NS:NAME [--viewer-local-user NAME] [--viewer-service-account NS:NAME]
 * [--non-interactive]`, `destroy-team -n TEAM`, `rename-team -o OLD -n NEW`. Setting, destroying
 * and renaming need an admin (an owner of main); a viewer of a team may look but not change it.
 */
import type { Command } from "commander";
import { collectRepeated, usageError } from "../shared/flags.ts";
import { confirm } from "../shared/prompt.ts";
import { printJson, table } from "./output.ts";
import { withSession } from "./session.ts";

interface SetTeamFlags {
  teamName: string;
  localUser: string[];
  serviceAccount: string[];
  viewerLocalUser: string[];
  viewerServiceAccount: string[];
  nonInteractive: boolean;
}

function users(locals: readonly string[], accounts: readonly string[], flag: string): string[] {
  const members = accounts.map((value) => {
    const [namespace, name, extra] = value.split(":");
    if (!namespace || !name || extra !== undefined)
      throw usageError(`${flag} ${value}: expected NAMESPACE:NAME`);
    return `system:serviceaccount:${namespace}:${name}`;
  });
  return [...locals.map((name) => `local:${name}`), ...members];
}

function members(flags: SetTeamFlags): { owners: string[]; viewers: string[] } {
  const owners = users(flags.localUser, flags.serviceAccount, "--service-account");
  const viewers = users(flags.viewerLocalUser, flags.viewerServiceAccount, "--viewer-service-account");
  if (owners.length === 0)
    throw usageError("set-team needs an owner: --local-user NAME or --service-account NS:NAME");
  return { owners, viewers };
}

const listed = (label: string, list: readonly string[]) =>
  list.length > 0 ? `${label}:\n${list.map((u) => `- ${u}`).join("\n")}\n\n` : "";

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
      const names = (list: readonly string[] | undefined) => list?.join(",") || "none";
      table([
        ["name", "users", "viewers"],
        ...teams.map((t) => [t.name, names(t.auth.owner.users), names(t.auth.viewer?.users)]),
      ]);
    });
  ci.command("set-team")
    .alias("st")
    .description("create a team or replace its owners and viewers (admins only)")
    .requiredOption("-n, --team-name <name>", "the team")
    .option("--local-user <name>", "a local user who owns the team (repeatable)", collectRepeated, [])
    .option("--service-account <namespace:name>", "a ServiceAccount that owns the team", collectRepeated, [])
    .option("--viewer-local-user <name>", "a local user who may only look (repeatable)", collectRepeated, [])
    .option(
      "--viewer-service-account <namespace:name>",
      "a ServiceAccount that may only look",
      collectRepeated,
      [],
    )
    .option("--non-interactive", "set without asking", false)
    .action(async (flags: SetTeamFlags, command: Command) => {
      const { owners, viewers } = members(flags);
      process.stdout.write(
        `setting team: ${flags.teamName}\n\n${listed("users", owners)}${listed("viewers", viewers)}`,
      );
      await confirm("apply team configuration?", flags.nonInteractive, "--non-interactive");
      const { created } = await withSession(command, ({ client }) =>
        client.setTeam(flags.teamName, owners, viewers),
      );
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

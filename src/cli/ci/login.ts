/**
 * `sluice ci -t NAME login -c URL [-n TEAM] -u USER -p PASSWORD` saves a target (fly's password
 * grant; the password may come from SLUICE_PASSWORD instead of the command line); `sluice ci
 * targets` lists the saved ones.
 */
import type { Command } from "commander";
import { ApiRequestError, CiClient } from "../../ci/api/client.ts";
import { SluiceError } from "../../common/errors.ts";
import { usageError } from "../shared/flags.ts";
import { defaultTargetFiles, listTargets, saveTarget } from "./targets.ts";

interface LoginFlags {
  concourseUrl: string;
  team: string;
  username?: string;
  password?: string;
}

async function login(flags: LoginFlags, command: Command): Promise<void> {
  const name = command.optsWithGlobals<{ target?: string }>().target;
  if (!name) throw usageError("no target given", "pass -t NAME to name the target being saved");
  const password = flags.password ?? process.env["SLUICE_PASSWORD"];
  if (!flags.username || password === undefined) {
    throw usageError("-u USER and -p PASSWORD (or SLUICE_PASSWORD) are required");
  }
  const api = flags.concourseUrl.replace(/\/$/, "");
  process.stdout.write(`logging in to team '${flags.team}'\n\n`);
  let client: CiClient;
  try {
    client = await CiClient.login(api, flags.username, password);
  } catch (error) {
    if (error instanceof ApiRequestError && [400, 401].includes(error.status)) {
      throw new SluiceError("invalid username and password");
    }
    if (error instanceof ApiRequestError && error.status === 403) {
      const reason = error.body["error"];
      throw new SluiceError(typeof reason === "string" ? reason : error.message);
    }
    throw new SluiceError(`could not reach ${api}: ${(error as Error).message}`);
  }
  const user = await client.user();
  const teams = (user["teams"] ?? {}) as Record<string, unknown>;
  if (user["is_admin"] !== true && !(flags.team in teams))
    throw new SluiceError(`user [${flags.username}] is not in team [${flags.team}]`, {
      hint: `your teams: ${Object.keys(teams).join(", ") || "none"}`,
    });
  await saveTarget(
    name,
    { api, team: flags.team, token: { type: "bearer", value: client.token! } },
    defaultTargetFiles(),
  );
  process.stdout.write("target saved\n");
}

async function targets(): Promise<void> {
  const rows = Object.entries(await listTargets(defaultTargetFiles())).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(4, ...rows.map(([name]) => name.length));
  process.stdout.write(`${"name".padEnd(width)}  ${"url".padEnd(30)}  team\n`);
  for (const [name, target] of rows)
    process.stdout.write(`${name.padEnd(width)}  ${target.api.padEnd(30)}  ${target.team}\n`);
}

export function registerLoginCommands(ci: Command): void {
  ci.command("login")
    .description("log in to a Sluice (or Concourse) server and save it as the target -t NAME")
    .requiredOption("-c, --concourse-url <url>", "the server's URL")
    .option("-n, --team <team>", "the team", "main")
    .option("-u, --username <user>", "a local user")
    .option("-p, --password <password>", "its password (or SLUICE_PASSWORD)")
    .action(login);
  ci.command("targets").description("list the saved targets").action(targets);
}

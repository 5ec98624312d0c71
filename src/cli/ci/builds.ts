/**
 * fly's build verbs: `trigger-job -j P/J [-w]`, `watch -j P/J [-b N]` (or `-b ID`), `builds [-j P/J |
 * -p P | --team] [-c N] [--json]`, `check-resource -r P/R [-a]`. Watching streams the build's log as it is written and
 * exits with fly's codes: 0 succeeded, 1 failed, 2 errored, 3 aborted.
 */
import type { Command } from "commander";
import { ApiRequestError, type ApiBuild, type BuildScope, type CiClient } from "../../ci/api/client.ts";
import { SluiceError } from "../../common/errors.ts";
import { collectRepeated, positiveNumber, usageError } from "../shared/flags.ts";
import { pipelineAnd, versionOf, withSession } from "./session.ts";

const exitCodes: Record<string, number> = { succeeded: 0, failed: 1, errored: 2, aborted: 3 };

/** Prints the build's log until it ends; answers its status. */
/** `HH:MM:SS  ` of an event's unix time, local, as fly's `watch --timestamps`. */
const stamp = (seconds: number | undefined) =>
  seconds === undefined ? "" : `${new Date(seconds * 1000).toTimeString().slice(0, 8)}  `;

export async function followBuild(
  client: CiClient,
  build: ApiBuild,
  options: { timestamps?: boolean } = {},
): Promise<string> {
  for await (const event of client.buildEvents(build.id)) {
    const data = event.data as { line?: string; stream?: string; message?: string; time?: number };
    if (event.event === "log" && data.line !== undefined) {
      const prefix = options.timestamps ? stamp(data.time) : "";
      (data.stream === "stderr" ? process.stderr : process.stdout).write(`${prefix}${data.line}\n`);
    } else if (event.event === "error" && data.message) {
      process.stderr.write(`${data.message}\n`);
    }
  }
  const status = (await client.getBuild(build.id)).status;
  process.stdout.write(`${status}\n`);
  process.exitCode = exitCodes[status] ?? 2;
  return status;
}

export async function jobBuild(
  client: CiClient,
  team: string,
  job: string,
  name: string | undefined,
): Promise<ApiBuild> {
  const [pipeline, jobName] = pipelineAnd(job, "-j");
  if (name !== undefined) {
    try {
      return await client.getJobBuild(team, pipeline, jobName, name);
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 404)
        throw new SluiceError(`job ${job} has no build ${name}`);
      throw error;
    }
  }
  const [latest] = (await client.listJobBuilds(team, pipeline, jobName, { limit: 1 })).builds;
  if (!latest) throw new SluiceError(`job ${job} has no builds`);
  return latest;
}

/** Whose builds `builds` lists: a job's, a pipeline's, the current team's, or all the user sees. */
function scopeOf(flags: BuildsFlags, team: string): BuildScope {
  if (flags.job) {
    const [pipeline, job] = pipelineAnd(flags.job, "-j");
    return { team, pipeline, job };
  }
  if (flags.pipeline) return { team, pipeline: flags.pipeline };
  return flags.team ? { team } : {};
}

interface BuildsFlags {
  job?: string;
  pipeline?: string;
  team: boolean;
  count: string;
  sinceId?: string;
  untilId?: string;
  json: boolean;
}

function row(build: ApiBuild): string {
  return [
    String(build.id).padEnd(6),
    `${build.pipeline_name ?? "-"}/${build.job_name ?? "-"}`.padEnd(30),
    build.name.padEnd(6),
    build.status,
  ].join("  ");
}

export function registerBuildCommands(ci: Command): void {
  ci.command("trigger-job")
    .alias("tj")
    .description("start a build of a job")
    .requiredOption("-j, --job <pipeline/job>", "the job")
    .option("-w, --watch", "stream the build's log and exit with its status", false)
    .action(async (flags: { job: string; watch: boolean }, command: Command) => {
      const [pipeline, job] = pipelineAnd(flags.job, "-j");
      await withSession(command, async ({ client, team }) => {
        const build = await client.triggerJob(team, pipeline, job);
        process.stdout.write(`started ${flags.job} #${build.name}\n`);
        if (flags.watch) await followBuild(client, build);
      });
    });
  ci.command("watch")
    .alias("w")
    .description("stream a build's log: the job's latest (or -b N), or the build with id -b")
    .option("-j, --job <pipeline/job>", "the job")
    .option("-b, --build <name-or-id>", "the build's name in the job (with -j) or its id")
    .option("--timestamps", "print the time of each line", false)
    .action(async (flags: { job?: string; build?: string; timestamps: boolean }, command: Command) => {
      if (!flags.job && !flags.build) throw usageError("watch needs -j PIPELINE/JOB or -b BUILD_ID");
      await withSession(command, async ({ client, team }) => {
        const build = flags.job
          ? await jobBuild(client, team, flags.job, flags.build)
          : await client.getBuild(Number(flags.build));
        await followBuild(client, build, { timestamps: flags.timestamps });
      });
    });
  ci.command("builds")
    .alias("bs")
    .description(
      "list builds, newest first: every build you may see, the current team's (--team), a pipeline's (-p) or a job's (-j)",
    )
    .option("-j, --job <pipeline/job>", "the job")
    .option("-p, --pipeline <name>", "the pipeline: the builds of all its jobs")
    .option("--team", "only the builds of the target's team", false)
    .option("-c, --count <n>", "how many", "50")
    .option("--until-id <id>", "builds older than this build id (the next page)")
    .option("--since-id <id>", "builds newer than this build id (the previous page)")
    .option("--json", "print JSON", false)
    .action(async (flags: BuildsFlags, command: Command) => {
      if (flags.job !== undefined && flags.pipeline !== undefined)
        throw usageError("builds takes -j PIPELINE/JOB or -p PIPELINE, not both");
      if (flags.untilId !== undefined && flags.sinceId !== undefined)
        throw usageError("builds takes --until-id or --since-id, not both");
      const page = {
        limit: positiveNumber(flags.count, "--count"),
        ...(flags.untilId !== undefined && { until: positiveNumber(flags.untilId, "--until-id") }),
        ...(flags.sinceId !== undefined && { since: positiveNumber(flags.sinceId, "--since-id") }),
      };
      const { builds } = await withSession(command, ({ client, team }) =>
        client.listBuilds(scopeOf(flags, team), page),
      );
      if (flags.json) process.stdout.write(`${JSON.stringify(builds, null, 2)}\n`);
      else for (const build of builds) process.stdout.write(`${row(build)}\n`);
    });
  ci.command("check-resource")
    .alias("cr")
    .description("check a resource for new versions now")
    .requiredOption("-r, --resource <pipeline/resource>", "the resource")
    .option(
      "-f, --from <key:value>",
      "check from this version on (repeatable: one pair each)",
      collectRepeated,
      [],
    )
    .option("-a, --async", "return at once, without waiting for the check's result", false)
    .action(async (flags: { resource: string; from: string[]; async: boolean }, command: Command) => {
      const [pipeline, resource] = pipelineAnd(flags.resource, "-r");
      const from = flags.from.length > 0 ? versionOf(flags.from, "--from") : undefined;
      const check = await withSession(command, ({ client, team }) =>
        client.checkResource(team, pipeline, resource, from, { async: flags.async }),
      );
      if (check.check_error) throw new SluiceError(`check failed: ${check.check_error}`);
      if (flags.async) process.stdout.write(`checking '${resource}' in the background\n`);
      else process.stdout.write(`checked '${resource}': ${check.status}\n`);
    });
}

/**
 * fly's build verbs: `trigger-job -j P/J [-w]`, `watch -j P/J [-b N]` (or `-b ID`), `builds -j P/J
 * [-c N] [--json]`, `check-resource -r P/R [-a]`. Watching streams the build's log as it is written and
 * exits with fly's codes: 0 succeeded, 1 failed, 2 errored, 3 aborted.
 */
import type { Command } from "commander";
import type { ApiBuild, CiClient } from "../../ci/api/client.ts";
import { SluiceError } from "../../common/errors.ts";
import { collectRepeated, usageError } from "../shared/flags.ts";
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
  const { builds } = await client.listJobBuilds(
    team,
    pipeline,
    jobName,
    name === undefined ? { limit: 1 } : {},
  );
  const build = name === undefined ? builds[0] : builds.find((b) => b.name === name);
  if (!build) throw new SluiceError(`job ${job} has no build${name === undefined ? "s" : ` ${name}`}`);
  return build;
}

async function jobBuilds(client: CiClient, team: string, job: string, limit: number): Promise<ApiBuild[]> {
  const [pipeline, name] = pipelineAnd(job, "-j");
  return (await client.listJobBuilds(team, pipeline, name, { limit })).builds;
}

/** Every job's newest builds, merged newest first. */
async function pipelineBuilds(
  client: CiClient,
  team: string,
  pipeline: string,
  limit: number,
): Promise<ApiBuild[]> {
  const jobs = await client.listJobs(team, pipeline);
  const perJob = await Promise.all(
    jobs.map(async (job) => (await client.listJobBuilds(team, pipeline, job.name, { limit })).builds),
  );
  return perJob
    .flat()
    .sort((a, b) => b.id - a.id)
    .slice(0, limit);
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
    .description("list a job's (-j) or a pipeline's (-p) builds, newest first")
    .option("-j, --job <pipeline/job>", "the job")
    .option("-p, --pipeline <name>", "the pipeline: the builds of all its jobs")
    .option("-c, --count <n>", "how many", "50")
    .option("--json", "print JSON", false)
    .action(
      async (flags: { job?: string; pipeline?: string; count: string; json: boolean }, command: Command) => {
        if ((flags.job === undefined) === (flags.pipeline === undefined))
          throw usageError("builds needs -j PIPELINE/JOB or -p PIPELINE");
        const limit = Number(flags.count) || 50;
        const builds = await withSession(command, ({ client, team }) =>
          flags.job
            ? jobBuilds(client, team, flags.job, limit)
            : pipelineBuilds(client, team, flags.pipeline!, limit),
        );
        if (flags.json) process.stdout.write(`${JSON.stringify(builds, null, 2)}\n`);
        else for (const build of builds) process.stdout.write(`${row(build)}\n`);
      },
    );
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

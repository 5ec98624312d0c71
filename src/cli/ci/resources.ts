/**
 * fly's listing and pinning verbs: `jobs -p`, `resources -p`, `resource-versions -r P/R`,
 * `pin-resource -r P/R -v k:v [-c comment]`, `unpin-resource -r P/R`, and the build controls
 * `abort-build -j P/J -b N` and `rerun-build -j P/J -b N [-w]`.
 */
import type { Command } from "commander";
import type { ApiVersion, CiClient } from "../../ci/api/client.ts";
import { SluiceError } from "../../common/errors.ts";
import { collectRepeated } from "../shared/flags.ts";
import { followBuild, jobBuild } from "./builds.ts";
import { printJson, table } from "./output.ts";
import { pipelineAnd, versionOf, withSession } from "./session.ts";

const sameVersion = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(b).every((key) => a[key] === b[key]);

async function findVersion(
  client: CiClient,
  team: string,
  pipeline: string,
  resource: string,
  wanted: Record<string, string>,
): Promise<ApiVersion> {
  const match = (await client.listVersions(team, pipeline, resource)).find((v) =>
    sameVersion(v.version, wanted),
  );
  if (!match) throw new SluiceError(`could not find version matching ${JSON.stringify(wanted)}`);
  return match;
}

function registerListings(ci: Command): void {
  ci.command("jobs")
    .alias("js")
    .description("list a pipeline's jobs with their latest and next builds")
    .requiredOption("-p, --pipeline <name>", "the pipeline")
    .option("--json", "print JSON", false)
    .action(async (flags: { pipeline: string; json: boolean }, command: Command) => {
      const jobs = await withSession(command, ({ client, team }) => client.listJobs(team, flags.pipeline));
      if (flags.json) return printJson(jobs);
      table([
        ["name", "paused", "status", "next"],
        ...jobs.map((job) => [
          job.name,
          job.paused ? "yes" : "no",
          job.finished_build?.status ?? "n/a",
          job.next_build?.status ?? "n/a",
        ]),
      ]);
    });
  ci.command("resources")
    .alias("rs")
    .description("list a pipeline's resources with their check errors and pins")
    .requiredOption("-p, --pipeline <name>", "the pipeline")
    .option("--json", "print JSON", false)
    .action(async (flags: { pipeline: string; json: boolean }, command: Command) => {
      const resources = await withSession(command, ({ client, team }) =>
        client.listResources(team, flags.pipeline),
      );
      if (flags.json) return printJson(resources);
      table([
        ["name", "type", "pinned", "check error"],
        ...resources.map((r) => [r.name, r.type, r.pinned_version_id ? "yes" : "n/a", r.check_error ?? ""]),
      ]);
    });
  ci.command("resource-versions")
    .alias("rvs")
    .description("list a resource's versions, newest first")
    .requiredOption("-r, --resource <pipeline/resource>", "the resource")
    .option("--json", "print JSON", false)
    .action(async (flags: { resource: string; json: boolean }, command: Command) => {
      const [pipeline, resource] = pipelineAnd(flags.resource, "-r");
      const versions = await withSession(command, ({ client, team }) =>
        client.listVersions(team, pipeline, resource),
      );
      if (flags.json) return printJson(versions);
      table([
        ["id", "version", "enabled"],
        ...versions.map((v) => [
          String(v.id),
          Object.entries(v.version)
            .map(([k, x]) => `${k}:${x}`)
            .join(","),
          v.enabled ? "yes" : "no",
        ]),
      ]);
    });
}

function registerPins(ci: Command): void {
  ci.command("pin-resource")
    .alias("pr")
    .description("pin a resource to one of its versions")
    .requiredOption("-r, --resource <pipeline/resource>", "the resource")
    .requiredOption("-v, --version <key:value>", "the version, by its fields (repeatable)", collectRepeated)
    .option("-c, --comment <text>", "why it is pinned")
    .action(async (flags: { resource: string; version: string[]; comment?: string }, command: Command) => {
      const [pipeline, resource] = pipelineAnd(flags.resource, "-r");
      const wanted = versionOf(flags.version, "-v");
      await withSession(command, async ({ client, team }) => {
        const match = await findVersion(client, team, pipeline, resource, wanted);
        await client.pinVersion(team, pipeline, resource, match.id, flags.comment);
        process.stdout.write(`pinned '${resource}' with version ${JSON.stringify(match.version)}\n`);
      });
    });
  ci.command("unpin-resource")
    .alias("ur")
    .description("unpin a resource")
    .requiredOption("-r, --resource <pipeline/resource>", "the resource")
    .action(async (flags: { resource: string }, command: Command) => {
      const [pipeline, resource] = pipelineAnd(flags.resource, "-r");
      await withSession(command, ({ client, team }) => client.unpinResource(team, pipeline, resource));
      process.stdout.write(`unpinned '${resource}'\n`);
    });
}

function registerToggles(ci: Command): void {
  for (const paused of [true, false]) {
    const verb = paused ? "pause" : "unpause";
    ci.command(`${verb}-job`)
      .description(paused ? "stop scheduling a job's builds" : "schedule a job's builds again")
      .requiredOption("-j, --job <pipeline/job>", "the job")
      .action(async (flags: { job: string }, command: Command) => {
        const [pipeline, job] = pipelineAnd(flags.job, "-j");
        await withSession(command, ({ client, team }) => client.pauseJob(team, pipeline, job, paused));
        process.stdout.write(`${verb}d '${job}'\n`);
      });
  }
  for (const enabled of [true, false]) {
    const verb = enabled ? "enable" : "disable";
    ci.command(`${verb}-resource-version`)
      .description(enabled ? "let builds use a version again" : "keep builds from using a version")
      .requiredOption("-r, --resource <pipeline/resource>", "the resource")
      .requiredOption("-v, --version <key:value>", "the version, by its fields (repeatable)", collectRepeated)
      .action(async (flags: { resource: string; version: string[] }, command: Command) => {
        const [pipeline, resource] = pipelineAnd(flags.resource, "-r");
        const wanted = versionOf(flags.version, "-v");
        await withSession(command, async ({ client, team }) => {
          const match = await findVersion(client, team, pipeline, resource, wanted);
          await client.enableVersion(team, pipeline, resource, match.id, enabled);
        });
        process.stdout.write(`${verb}d version ${JSON.stringify(wanted)}\n`);
      });
  }
}

function registerBuildControls(ci: Command): void {
  ci.command("abort-build")
    .alias("ab")
    .description("abort a running build")
    .requiredOption("-j, --job <pipeline/job>", "the job")
    .requiredOption("-b, --build <name>", "the build's name in the job")
    .action(async (flags: { job: string; build: string }, command: Command) => {
      await withSession(command, async ({ client, team }) => {
        await client.abortBuild((await jobBuild(client, team, flags.job, flags.build)).id);
      });
      process.stdout.write("build successfully aborted\n");
    });
  ci.command("rerun-build")
    .alias("rb")
    .description("run a build again with the same inputs")
    .requiredOption("-j, --job <pipeline/job>", "the job")
    .requiredOption("-b, --build <name>", "the build to run again")
    .option("-w, --watch", "stream the new build's log and exit with its status", false)
    .action(async (flags: { job: string; build: string; watch: boolean }, command: Command) => {
      const [pipeline, job] = pipelineAnd(flags.job, "-j");
      await withSession(command, async ({ client, team }) => {
        const build = await client.rerunBuild(team, pipeline, job, flags.build);
        process.stdout.write(`started ${flags.job} #${build.name}\n`);
        if (flags.watch) await followBuild(client, build);
      });
    });
}

export function registerResourceCommands(ci: Command): void {
  registerListings(ci);
  registerPins(ci);
  registerToggles(ci);
  registerBuildControls(ci);
}

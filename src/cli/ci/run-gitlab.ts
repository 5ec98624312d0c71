/**
 * `sluice ci run-gitlab [DIR] [--job J]... [--needs] [--before REV] [--variable K=V]... [--list]`:
 * runs a repository's `.gitlab-ci.yml` against its working tree on this machine, as
 * gitlab-ci-local does, in the sandbox CI builds use. The pipeline is the one a push of the
 * working tree on top of `--before` (default HEAD's parent) would create: rules and
 * `only: changes` see those changes. Jobs' output is prefixed with their names; the exit status
 * is 0 when the pipeline succeeded, 1 when it failed, 2 for a bad file or flag, 3 when aborted.
 */
import path from "node:path";
import type { Command } from "commander";
import { CiFileError } from "../../ci/projects/ci-file.ts";
import type { GitlabConfig } from "../../ci/projects/gitlab/model.ts";
import { isNamed } from "../../ci/projects/gitlab/parallel.ts";
import { PipelineError, type PlannedJob } from "../../ci/projects/gitlab/pipeline.ts";
import type { PipelineInfo } from "../../ci/projects/gitlab/predefined.ts";
import { prepareGitlabPipeline } from "../../ci/projects/gitlab/prepare.ts";
import { RuleError, type PipelineEvent } from "../../ci/projects/gitlab/rules.ts";
import { runGitlabPipeline } from "../../ci/projects/gitlab/run-pipeline.ts";
import { readWorkingTree } from "../../ci/projects/working-tree.ts";
import { ExitCode, SluiceError } from "../../common/errors.ts";
import { collectRepeated, positiveNumber, usageError } from "../shared/flags.ts";
import {
  addLocalWorkerFlags,
  keyValueFlags,
  printingHost,
  progressPrinter,
  reportRun,
  withLocalWorker,
} from "./local-worker-flags.ts";
import { table } from "./output.ts";

interface RunGitlabFlags {
  file: string;
  job?: string[];
  needs: boolean;
  before?: string;
  variable?: string[];
  image: string;
  concurrency: string;
  list: boolean;
  registryMirror?: string[];
  cacheDir?: string;
}

/** The named jobs, with (`--needs`) every job they wait for; unknown names are a usage error. */
function requested(jobs: PlannedJob[], names: readonly string[], withNeeds: boolean): PlannedJob[] {
  if (names.length === 0) return jobs;
  const wanted = new Set<string>();
  const add = (name: string) => {
    const found = jobs.filter((job) => isNamed(job.job, name));
    if (found.length === 0)
      throw usageError(
        `--job ${name}: this pipeline has no such job (jobs: ${jobs.map((j) => j.job.name).join(", ")})`,
      );
    for (const job of found) {
      if (wanted.has(job.job.name)) continue;
      wanted.add(job.job.name);
      if (withNeeds) job.after.forEach(add);
    }
  };
  names.forEach(add);
  return jobs
    .filter((job) => wanted.has(job.job.name))
    .map((job) => ({ ...job, after: job.after.filter((name) => wanted.has(name)) }));
}

async function runGitlab(dir: string | undefined, flags: RunGitlabFlags): Promise<void> {
  const concurrency = positiveNumber(flags.concurrency, "--concurrency");
  const tree = await readWorkingTree(path.resolve(dir ?? "."), flags.before);
  try {
    const { config, info, event, plan } = await prepareGitlabPipeline({
      tree,
      ref: tree.branch,
      defaultBranch: tree.branch,
      pipelineId: 1,
      serverHost: "localhost",
      file: flags.file,
      projectVariables: keyValueFlags(flags.variable, "--variable"),
    });
    if (!plan.run) {
      process.stderr.write(`no pipeline: ${plan.reason}\n`);
      return;
    }
    const jobs = requested(plan.jobs, flags.job ?? [], flags.needs);
    if (flags.list) {
      table([
        ["JOB", "STAGE", "WHEN", "AFTER"],
        ...jobs.map((j) => [j.job.name, j.job.stage, j.when, j.after.join(",") || "-"]),
      ]);
      return;
    }
    await runJobs(config, jobs, info, event, plan.workflowVariables, tree.dir, flags, concurrency);
  } catch (error) {
    if (error instanceof CiFileError || error instanceof PipelineError || error instanceof RuleError)
      throw new SluiceError(error.message, { exitCode: ExitCode.usage });
    throw error;
  }
}

async function runJobs(
  config: GitlabConfig,
  jobs: PlannedJob[],
  info: PipelineInfo,
  event: PipelineEvent,
  workflowVariables: Record<string, string>,
  sourceDir: string,
  flags: RunGitlabFlags,
  concurrency: number,
): Promise<void> {
  const width = Math.max(...jobs.map((j) => j.job.name.length));
  await withLocalWorker(flags, "sluice-run-gitlab-", async ({ worker, work, stateDir, signal }) => {
    const { outcome, reports } = await runGitlabPipeline({
      config,
      jobs,
      info,
      event,
      workflowVariables,
      sourceDir,
      workDir: work,
      cacheDir: path.join(stateDir, "gitlab-cache", info.projectPath.replace(/\//g, "_")),
      defaultImage: flags.image,
      concurrency,
      play: new Set(flags.job ? jobs.map((j) => j.job.name) : []),
      signal,
      host: printingHost(width, worker),
      builder: worker.builder,
      onChange: progressPrinter(width),
    });
    reportRun("pipeline", outcome, reports);
  });
}

export function registerRunGitlabCommand(ci: Command): void {
  const command = ci
    .command("run-gitlab [dir]")
    .description(
      "run a repository's .gitlab-ci.yml against its working tree on this machine (as gitlab-ci-local)",
    )
    .option("-f, --file <path>", "the CI file, relative to the repository", ".gitlab-ci.yml")
    .option("-j, --job <name>", "run only this job, even a manual one (repeatable)", collectRepeated)
    .option("--needs", "with --job: also run the jobs it waits for", false)
    .option("--before <rev>", "the revision changes are counted from (default: HEAD's parent)")
    .option(
      "--variable <key=value>",
      "a project variable, masked in the output (repeatable)",
      collectRepeated,
    )
    .option("--image <ref>", "the image of jobs that name none", "alpine:latest")
    .option("--concurrency <n>", "jobs running at once", "2")
    .option("--list", "print the jobs the pipeline would run, and what each waits for", false);
  addLocalWorkerFlags(command).action(runGitlab);
}

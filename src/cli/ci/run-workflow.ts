/**
 * `sluice ci run-workflow FILE [--job J]... [--event push|workflow_dispatch] [--before REV]
 * [--secret K=V]...`: runs a GitHub Actions workflow against the working tree on this machine, as
 * act does, in the sandbox CI builds use — with the `on.push` filters honoured (branches, tags,
 * paths against the changes since --before, default HEAD's parent). Built-in actions replace
 * downloads; `EndBug/add-and-commit` pushes with the repository's own `origin`. Exit status 0
 * when every job succeeded, 1 when one failed, 2 for a bad file or flag, 3 when aborted.
 */
import path from "node:path";
import type { Command } from "commander";
import { CiFileError } from "../../ci/projects/ci-file.ts";
import { loadWorkflows } from "../../ci/projects/github/load.ts";
import { expandedJobNames, runWorkflow } from "../../ci/projects/github/run-workflow.ts";
import { workflowRuns } from "../../ci/projects/github/triggers.ts";
import { ExpressionError } from "../../ci/projects/github/expression.ts";
import { readWorkingTree } from "../../ci/projects/working-tree.ts";
import { ExitCode, SluiceError } from "../../common/errors.ts";
import { runGit } from "../../git/exec.ts";
import { collectRepeated, positiveNumber, usageError } from "../shared/flags.ts";
import {
  addLocalWorkerFlags,
  keyValueFlags,
  printingHost,
  progressPrinter,
  reportRun,
  withLocalWorker,
} from "./local-worker-flags.ts";

interface RunWorkflowFlags {
  job?: string[];
  event: string;
  before?: string;
  secret?: string[];
  runnerImage: string;
  concurrency: string;
  registryMirror?: string[];
  cacheDir?: string;
}

/** The working tree and its workflow, or no workflow when the event does not run it. */
async function workflowToRun(file: string, flags: RunWorkflowFlags) {
  const tree = await readWorkingTree(path.dirname(path.resolve(file)), flags.before);
  let workflows;
  try {
    workflows = await loadWorkflows(tree.dir, path.relative(tree.dir, path.resolve(file)));
  } catch (error) {
    if (error instanceof CiFileError) throw new SluiceError(error.message, { exitCode: ExitCode.usage });
    throw error;
  }
  const workflow = workflows[0]!;
  const unknown = (flags.job ?? []).filter((id) => !workflow.jobs.some((j) => j.id === id));
  if (unknown.length > 0)
    throw usageError(
      `--job ${unknown.join(", ")}: the workflow's jobs are ${workflow.jobs.map((j) => j.id).join(", ")}`,
    );
  const verdict = workflowRuns(workflow.triggers, {
    kind: flags.event as "push",
    ref: tree.branch,
    tag: false,
    changes: tree.changes,
    message: tree.message,
  });
  if (!verdict.run && !flags.job) {
    process.stderr.write(`the workflow does not run: ${verdict.reason}\n`);
    return { tree, workflow: undefined };
  }
  return { tree, workflow };
}

async function runWorkflowFile(file: string, flags: RunWorkflowFlags): Promise<void> {
  if (flags.event !== "push" && flags.event !== "workflow_dispatch")
    throw usageError(`--event ${flags.event}: expected push or workflow_dispatch`);
  const concurrency = positiveNumber(flags.concurrency, "--concurrency");
  const { tree, workflow } = await workflowToRun(file, flags);
  if (!workflow) return;
  const width = Math.max(...expandedJobNames(workflow).map((name) => name.length));
  await withLocalWorker(flags, "sluice-run-workflow-", async ({ worker, work, stateDir, signal }) => {
    try {
      const { outcome, reports } = await runWorkflow({
        workflow,
        info: {
          runId: 1,
          repository: tree.projectPath,
          sha: tree.sha,
          branch: tree.branch,
          actor: process.env["USER"] ?? "sluice",
          eventName: flags.event as "push",
          serverUrl: tree.repositoryUrl,
        },
        secrets: keyValueFlags(flags.secret, "--secret"),
        sourceDir: tree.dir,
        workDir: work,
        cacheDir: path.join(stateDir, "actions-cache", tree.projectPath.replace(/\//g, "_")),
        runnerImage: (label) => (label.startsWith("ubuntu-22") ? "ubuntu:22.04" : flags.runnerImage),
        builder: worker.builder,
        gitPush: async (dir, branch) => {
          await runGit(["push", "origin", `HEAD:refs/heads/${branch}`], { cwd: dir, signal });
        },
        host: printingHost(width, worker),
        ...(flags.job && { only: new Set(flags.job) }),
        concurrency,
        signal,
        onChange: progressPrinter(width),
      });
      reportRun("workflow", outcome, reports);
    } catch (error) {
      if (error instanceof ExpressionError)
        throw new SluiceError(error.message, { exitCode: ExitCode.usage });
      throw error;
    }
  });
}

export function registerRunWorkflowCommand(ci: Command): void {
  const command = ci
    .command("run-workflow <file>")
    .description("run a GitHub Actions workflow against the working tree on this machine (as act)")
    .option("-j, --job <id>", "run only this job (repeatable)", collectRepeated)
    .option("--event <event>", "push or workflow_dispatch", "push")
    .option(
      "--before <rev>",
      "the revision changes are counted from, for paths filters (default: HEAD's parent)",
    )
    .option(
      "-s, --secret <key=value>",
      "a secret, as secrets.KEY (masked in the output; repeatable)",
      collectRepeated,
    )
    .option("--runner-image <ref>", "the image of runs-on runners", "ubuntu:24.04")
    .option("--concurrency <n>", "jobs running at once", "2");
  addLocalWorkerFlags(command).action(runWorkflowFile);
}

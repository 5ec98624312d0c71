/**
 * A push of a GitHub project: every workflow of its file or directory whose `on.push` filters
 * select the push runs, its jobs builds of the project's jobs (named `<workflow>-<job>` when the
 * project has several workflows).
 */
import path from "node:path";
import type { ImageBuilder } from "../../builder/image-builder.ts";
import { loadWorkflows, type LoadedWorkflow } from "../../projects/github/load.ts";
import { expandedJobNames, runWorkflow } from "../../projects/github/run-workflow.ts";
import { workflowRuns } from "../../projects/github/triggers.ts";
import type { ProjectRun } from "./project-run.ts";

export async function runGithubProject(run: ProjectRun, builder: ImageBuilder): Promise<void> {
  const workflows = await loadWorkflows(run.checkout, run.spec.file);
  const event = run.trigger === "manual" ? "workflow_dispatch" : "push";
  const prefix = (workflow: LoadedWorkflow) =>
    workflows.length === 1 ? "" : `${path.basename(workflow.file).replace(/\.ya?ml$/, "")}-`;
  const host = await run.jobs(workflows.flatMap((w) => expandedJobNames(w).map((name) => prefix(w) + name)));
  for (const workflow of workflows) {
    const verdict = workflowRuns(workflow.triggers, {
      kind: event,
      ref: run.spec.branch,
      tag: false,
      changes: run.tree.changes,
      message: run.tree.message,
    });
    if (!verdict.run) {
      run.log(`${workflow.file} does not run: ${verdict.reason}`);
      continue;
    }
    await runWorkflow({
      workflow,
      info: {
        runId: run.runId,
        repository: run.tree.projectPath,
        sha: run.tree.sha,
        branch: run.spec.branch,
        actor: "sluice",
        eventName: event,
        serverUrl: run.spec.repo,
      },
      secrets: run.variables,
      sourceDir: run.checkout,
      workDir: path.join(run.work, "workflows", prefix(workflow) || "workflow"),
      cacheDir: run.cacheDir,
      runnerImage: (label) =>
        label.startsWith("ubuntu-22") ? "ubuntu:22.04" : (run.spec.default_image ?? "ubuntu:24.04"),
      builder,
      gitPush: (dir, branch) => run.gitPush(dir, branch),
      host: { begin: (job, attempt) => host.begin({ name: prefix(workflow) + job.name }, attempt) },
      ...(run.concurrency !== undefined && { concurrency: run.concurrency }),
      signal: run.signal,
    });
  }
}

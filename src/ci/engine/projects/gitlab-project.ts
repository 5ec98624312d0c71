/** A push of a GitLab project: the pipeline its `.gitlab-ci.yml` and rules give, run job by job. */
import { prepareGitlabPipeline } from "../../projects/gitlab/prepare.ts";
import { runGitlabPipeline } from "../../projects/gitlab/run-pipeline.ts";
import type { ImageBuilder } from "../../builder/image-builder.ts";
import type { ProjectRun } from "./project-run.ts";

const sshHost = /^[^@/]+@([^:]+):/;

export async function runGitlabProject(run: ProjectRun, builder: ImageBuilder): Promise<void> {
  const { spec } = run;
  const prepared = await prepareGitlabPipeline({
    tree: run.tree,
    ref: spec.branch,
    defaultBranch: spec.branch,
    pipelineId: run.runId,
    serverHost: new URL(spec.repo.replace(sshHost, "ssh://$1/")).hostname,
    file: spec.file,
    projectVariables: run.variables,
    source: run.trigger === "manual" ? "web" : "push",
  });
  const host = await run.jobs(prepared.config.jobs.map((j) => j.name));
  if (!prepared.plan.run) {
    run.log(`push runs no pipeline: ${prepared.plan.reason}`);
    return;
  }
  await runGitlabPipeline({
    ...prepared,
    jobs: prepared.plan.jobs,
    workflowVariables: prepared.plan.workflowVariables,
    sourceDir: run.checkout,
    workDir: run.work,
    cacheDir: run.cacheDir,
    defaultImage: spec.default_image ?? "alpine:latest",
    ...(run.concurrency !== undefined && { concurrency: run.concurrency }),
    signal: run.signal,
    host,
    builder,
  });
}

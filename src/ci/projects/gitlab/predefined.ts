/** GitLab's predefined variables for a pipeline and for each of its jobs. */
import type { PipelineSource } from "./rules.ts";

export interface PipelineInfo {
  pipelineId: number;
  /** `group/project`. */
  projectPath: string;
  repositoryUrl: string;
  defaultBranch: string;
  source: PipelineSource;
  ref: string;
  tag: boolean;
  sha: string;
  /** All zeros when the push created the branch. */
  beforeSha: string;
  message: string;
  /** The server's host for `CI_SERVER_HOST` (the git server's host). */
  serverHost: string;
}

export const NO_COMMIT = "0".repeat(40);

/** GitLab's `CI_COMMIT_REF_SLUG`: lowercased, non-alphanumerics to `-`, at most 63, no edge dashes. */
export const refSlug = (ref: string): string =>
  ref
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "-")
    .slice(0, 63)
    .replace(/^-+|-+$/g, "");

export function pipelineVariables(info: PipelineInfo): Record<string, string> {
  const [namespace, name] = [
    info.projectPath.split("/").slice(0, -1).join("/"),
    info.projectPath.split("/").at(-1)!,
  ];
  const title = info.message.split("\n")[0] ?? "";
  return {
    CI: "true",
    GITLAB_CI: "true",
    CI_SERVER: "yes",
    CI_SERVER_HOST: info.serverHost,
    CI_PIPELINE_ID: String(info.pipelineId),
    CI_PIPELINE_IID: String(info.pipelineId),
    CI_PIPELINE_SOURCE: info.source,
    CI_PROJECT_PATH: info.projectPath,
    CI_PROJECT_NAME: name,
    CI_PROJECT_NAMESPACE: namespace,
    CI_PROJECT_PATH_SLUG: refSlug(info.projectPath),
    CI_REPOSITORY_URL: info.repositoryUrl,
    CI_DEFAULT_BRANCH: info.defaultBranch,
    CI_COMMIT_SHA: info.sha,
    CI_COMMIT_SHORT_SHA: info.sha.slice(0, 8),
    CI_COMMIT_BEFORE_SHA: info.beforeSha,
    CI_COMMIT_REF_NAME: info.ref,
    CI_COMMIT_REF_SLUG: refSlug(info.ref),
    CI_COMMIT_MESSAGE: info.message,
    CI_COMMIT_TITLE: title,
    ...(info.tag ? { CI_COMMIT_TAG: info.ref } : { CI_COMMIT_BRANCH: info.ref }),
  };
}

export function jobVariables(job: { name: string; stage: string }, jobId: number): Record<string, string> {
  return {
    CI_JOB_NAME: job.name,
    CI_JOB_NAME_SLUG: refSlug(job.name),
    CI_JOB_STAGE: job.stage,
    CI_JOB_ID: String(jobId),
  };
}

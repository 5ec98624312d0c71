/**
 * The GitLab pipeline a commit gets — for a local run or a server's push — from what is known of
 * the checkout: the file loaded (includes read from the checkout), the predefined variables and
 * the rules evaluated against the push's changes.
 */
import type { WorkingTree } from "../working-tree.ts";
import { loadGitlabConfig } from "./load.ts";
import type { GitlabConfig } from "./model.ts";
import { planPipeline, type PlannedPipeline } from "./pipeline.ts";
import { NO_COMMIT, pipelineVariables, type PipelineInfo } from "./predefined.ts";
import type { PipelineEvent, PipelineSource } from "./rules.ts";

export interface PipelineRequest {
  tree: WorkingTree;
  /** The branch pushed (a checkout's HEAD may be detached). */
  ref: string;
  defaultBranch: string;
  pipelineId: number;
  serverHost: string;
  file: string;
  projectVariables: Readonly<Record<string, string>>;
  /** `push` by default; `web` for a run someone asked for. */
  source?: PipelineSource;
}

export interface PreparedPipeline {
  config: GitlabConfig;
  info: PipelineInfo;
  event: PipelineEvent;
  plan: PlannedPipeline;
}

/** Throws CiFileError, PipelineError or RuleError when the file cannot run. */
export async function prepareGitlabPipeline(request: PipelineRequest): Promise<PreparedPipeline> {
  const { tree } = request;
  const info: PipelineInfo = {
    pipelineId: request.pipelineId,
    projectPath: tree.projectPath,
    repositoryUrl: tree.repositoryUrl,
    defaultBranch: request.defaultBranch,
    source: request.source ?? "push",
    ref: request.ref,
    tag: false,
    sha: tree.sha,
    beforeSha: tree.beforeSha ?? NO_COMMIT,
    message: tree.message,
    serverHost: request.serverHost,
  };
  const event: PipelineEvent = {
    source: request.source ?? "push",
    ref: request.ref,
    tag: false,
    changes: tree.changes,
    files: tree.files,
    variables: pipelineVariables(info),
    projectVariables: request.projectVariables,
  };
  const config = await loadGitlabConfig({
    repoDir: tree.dir,
    file: request.file,
    variables: event.variables,
  });
  return { config, info, event, plan: planPipeline(config, event) };
}

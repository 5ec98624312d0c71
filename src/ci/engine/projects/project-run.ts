/** One push of a project being run, as the format runners (GitLab, GitHub) see it. */
import type { JobHost } from "../../projects/job-host.ts";
import type { ProjectSpec } from "../../projects/project.ts";
import type { WorkingTree } from "../../projects/working-tree.ts";

export interface ProjectRun {
  spec: ProjectSpec;
  /** A push, or someone asking for a run (GitLab's `web` source, GitHub's `workflow_dispatch`). */
  trigger: "push" | "manual";
  /** Scratch space of the run, removed when it ends. */
  work: string;
  /** The pushed commit, checked out. */
  checkout: string;
  tree: WorkingTree;
  /** Increases with each push (the version's id): CI_PIPELINE_ID, GITHUB_RUN_ID. */
  runId: number;
  signal: AbortSignal;
  /** The project's variables (GitLab) or secrets (GitHub), masked in logs. */
  variables: Record<string, string>;
  cacheDir: string;
  concurrency?: number;
  /** Makes the pipeline's jobs these (plus ci-config); the host opens their builds. */
  jobs(names: string[]): Promise<JobHost>;
  /** Pushes the repository at `dir` to `branch` with the project's credentials. */
  gitPush(dir: string, branch: string): Promise<void>;
  /** A line for the server's log. */
  log(message: string): void;
}

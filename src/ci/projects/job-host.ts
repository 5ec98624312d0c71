/**
 * Where the jobs of a project's run execute, for either file format: on this machine (`sluice ci
 * run-gitlab`/`run-workflow`, the log printed) or on the server (each attempt a build of its job).
 */
import type { DirectoryArtifacts } from "../engine/builds/directory-artifacts.ts";
import type { TaskConfig } from "../pipeline/task-config.ts";
import type { JobResult } from "./run-graph.ts";

export interface TaskRun {
  name: string;
  config: TaskConfig;
  artifacts: DirectoryArtifacts;
  secrets: readonly string[];
  signal: AbortSignal;
  /** Names the task's container resolves (the job's services). */
  hosts?: Readonly<Record<string, string>>;
}

/** One attempt of a job, wherever it runs: on this machine (its log printed) or as a server's build. */
export interface JobAttempt {
  log(line: string, stream?: "stdout" | "stderr"): void;
  runTask(task: TaskRun): Promise<JobResult>;
  /** Stops the attempt (a build aborted from the API). */
  signal?: AbortSignal;
  end(result: JobResult): Promise<void>;
}

/** Where a run's jobs go: `begin` opens an attempt of the named job. */
export interface JobHost {
  begin(job: { name: string }, attempt: number): Promise<JobAttempt>;
}

/**
 * What the HTTP API (ci/api) asks of the running engine: check a resource now, look at jobs
 * now, abort a build, follow a build's events as they are appended. The engine implements it;
 * the API only holds this interface.
 */
import type { Version } from "../pipeline/fields.ts";
import type { WaitingInput } from "../scheduler/index.ts";
import type { BuildEvent, CheckOutcome } from "../store/store.ts";

export interface CheckRequest {
  /** Check from this version instead of the latest one (`check-resource --from`). */
  from?: Version;
  signal?: AbortSignal;
}

/** Why a job has no new build, as the scheduler last decided it. */
export interface JobWaiting {
  reason: string;
  waiting: WaitingInput[];
  decidedAt: number;
}

export interface EngineControl {
  /** Runs a check of the pipeline's resource (or resource type) now and resolves with its outcome. */
  checkResource(pipelineId: number, resource: string, request?: CheckRequest): Promise<CheckOutcome>;
  /** Asks the scheduler to look at the pipeline's jobs now: a new or unpaused pipeline, a manual trigger. */
  schedule(pipelineId: number): void;
  /** Aborts a running build; false when no build with that id runs here. */
  abortBuild(buildId: number): boolean;
  /**
   * Calls `listener` with the events appended to the build from now on, until the returned
   * function is called. Readers catch up from the store first, then follow.
   */
  followBuild(buildId: number, listener: (events: BuildEvent[]) => void): () => void;
  /** The scheduler's last reason for not starting a build of the job; undefined when it did not wait. */
  jobWaiting(jobId: number): JobWaiting | undefined;
}

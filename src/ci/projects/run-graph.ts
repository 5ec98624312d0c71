/**
 * Runs the jobs of one pipeline run (a GitLab pipeline, a workflow run) in dependency order, as
 * many at once as allowed. A job starts when every job it waits for has ended; its `when`
 * decides whether it runs: `on_success` unless something upstream failed, `on_failure` only then,
 * `always` regardless; `manual` jobs do not run unless asked for, and dependents of a blocking
 * manual job are skipped. A failure that is allowed does not count as upstream failure.
 */
import type { Outcome } from "../build/index.ts";

export type JobState = "pending" | "running" | Outcome | "skipped" | "manual";

export interface GraphJob {
  name: string;
  /** The jobs that must end before this one starts. */
  after: readonly string[];
  when: "on_success" | "on_failure" | "always" | "manual" | "delayed";
  /** Whether this failure (with this exit code, when known) leaves the pipeline green. */
  allowedToFail: (exitCode: number | undefined) => boolean;
  /** A manual job that holds its dependents back until someone runs it. */
  blocking?: boolean;
}

export interface JobResult {
  outcome: Outcome;
  exitCode?: number | undefined;
  /** The job decided not to run (a GitHub job's `if:`), and why. */
  skipped?: string;
}

export interface JobReport {
  state: JobState;
  /** The job failed but was allowed to. */
  allowedFailure: boolean;
  /** Why it did not run, for skipped and manual jobs. */
  reason?: string;
}

export interface RunGraphOptions {
  jobs: readonly GraphJob[];
  run: (job: GraphJob) => Promise<JobResult>;
  /** Jobs running at once (default 2). */
  concurrency?: number;
  /** Manual jobs to run anyway. */
  play?: ReadonlySet<string>;
  signal: AbortSignal;
  onChange?: (job: string, report: JobReport) => void;
}

const ended = (state: JobState) => state !== "pending" && state !== "running";

export async function runGraph(options: RunGraphOptions): Promise<Map<string, JobReport>> {
  const reports = new Map<string, JobReport>(
    options.jobs.map((job) => [job.name, { state: "pending", allowedFailure: false }]),
  );
  /** Jobs that failed, or were skipped because something before them failed. */
  const failedUpstream = new Set<string>();
  const running = new Set<Promise<void>>();
  const limit = options.concurrency ?? 2;
  const set = (job: string, report: JobReport) => {
    reports.set(job, report);
    options.onChange?.(job, report);
  };

  const blocking = new Set(options.jobs.filter((j) => j.blocking).map((j) => j.name));
  const decide = (job: GraphJob): JobReport | "run" => {
    const upstreamFailed = job.after.some((name) => failedUpstream.has(name));
    const blockedBy = job.after.find((name) => reports.get(name)?.state === "manual" && blocking.has(name));
    if (blockedBy)
      return { state: "skipped", allowedFailure: false, reason: `waits for the manual job ${blockedBy}` };
    if (options.signal.aborted) return { state: "aborted", allowedFailure: false };
    if (job.when === "manual" && !options.play?.has(job.name))
      return { state: "manual", allowedFailure: false, reason: "manual job: run it with --job" };
    if (job.when === "on_failure" && !upstreamFailed)
      return {
        state: "skipped",
        allowedFailure: false,
        reason: "when: on_failure, and nothing before it failed",
      };
    if ((job.when === "on_success" || job.when === "manual" || job.when === "delayed") && upstreamFailed)
      return { state: "skipped", allowedFailure: false, reason: "a job before it failed" };
    return "run";
  };

  const start = (job: GraphJob): void => {
    set(job.name, { state: "running", allowedFailure: false });
    const promise = options
      .run(job)
      .catch((): JobResult => ({ outcome: "errored" }))
      .then((result) => {
        if (result.skipped !== undefined)
          return set(job.name, { state: "skipped", allowedFailure: false, reason: result.skipped });
        const failed = result.outcome !== "succeeded";
        const allowed = failed && result.outcome !== "aborted" && job.allowedToFail(result.exitCode);
        if (failed && !allowed) failedUpstream.add(job.name);
        set(job.name, { state: result.outcome, allowedFailure: allowed });
      })
      .finally(() => running.delete(promise));
    running.add(promise);
  };

  for (;;) {
    let progressed = false;
    for (const job of options.jobs) {
      if (reports.get(job.name)!.state !== "pending") continue;
      if (!job.after.every((name) => ended(reports.get(name)?.state ?? "skipped"))) continue;
      const decision = decide(job);
      if (decision === "run") {
        if (running.size >= limit) continue;
        start(job);
      } else {
        if (decision.state === "skipped" && decision.reason === "a job before it failed")
          failedUpstream.add(job.name);
        set(job.name, decision);
      }
      progressed = true;
    }
    if (running.size === 0 && !progressed) break;
    if (!progressed || running.size >= limit) await Promise.race(running);
  }
  return reports;
}

/** The run's verdict: failed when a job failed without being allowed to, else succeeded. */
export function runOutcome(reports: ReadonlyMap<string, JobReport>): Outcome {
  let outcome: Outcome = "succeeded";
  for (const report of reports.values()) {
    if (report.allowedFailure) continue;
    if (report.state === "aborted") return "aborted";
    if (report.state === "errored") outcome = "errored";
    if (report.state === "failed" && outcome === "succeeded") outcome = "failed";
  }
  return outcome;
}

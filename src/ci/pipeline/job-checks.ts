/** Checks on jobs as a whole: at least one job, log retention, and no cycle through `passed`. */
import { matchingNames } from "./glob.ts";
import type { IssueCollector } from "./issues.ts";
import type { Job, Pipeline } from "./pipeline.ts";
import { resourcesOf } from "./step-tree.ts";

export function checkJobs(issues: IssueCollector, pipeline: Pipeline): void {
  const jobs = pipeline.jobs ?? [];
  if (jobs.length === 0) issues.error(["jobs"], "pipeline must contain at least one job");
  jobs.forEach((job, i) => checkLogRetention(issues, job, ["jobs", i]));
  checkPassedCycles(issues, jobs);
}

function checkLogRetention(issues: IssueCollector, job: Job, path: PropertyKey[]): void {
  const legacy = job.build_logs_to_retain;
  if (legacy !== undefined) {
    issues.warn([...path, "build_logs_to_retain"], "deprecated: use build_log_retention instead");
    if (job.build_log_retention)
      issues.error(path, "can't use both build_log_retention and build_logs_to_retain");
  }
  const counts = { ...job.build_log_retention, build_logs_to_retain: legacy };
  for (const [field, value] of Object.entries(counts)) {
    if (typeof value !== "number" || value >= 0) continue;
    const fieldPath = field === "build_logs_to_retain" ? [field] : ["build_log_retention", field];
    issues.error([...path, ...fieldPath], `must not be negative, got ${value}`);
  }
  const { builds, minimum_succeeded_builds: minimum } = job.build_log_retention ?? {};
  if (typeof builds === "number" && typeof minimum === "number" && builds > 0 && minimum > builds) {
    issues.error(
      [...path, "build_log_retention", "minimum_succeeded_builds"],
      `${minimum} is greater than build_log_retention.builds (${builds})`,
    );
  }
}

/** The jobs each job's gets name in `passed`, by index. */
function upstreamJobs(jobs: readonly Job[]): number[][] {
  return jobs.map((job) => {
    const globs = resourcesOf(job).gets.flatMap((get) => get.passed ?? []);
    const names = new Set(globs.flatMap((glob) => matchingNames(glob, jobs) ?? []).map((j) => j.name));
    return jobs.flatMap((other, i) => (names.has(other.name) ? [i] : []));
  });
}

/** Reports the first cycle through `passed`, naming its jobs in order. */
function checkPassedCycles(issues: IssueCollector, jobs: readonly Job[]): void {
  const upstream = upstreamJobs(jobs);
  const done = new Set<number>();
  const visit = (job: number, stack: number[]): number[] | undefined => {
    const start = stack.indexOf(job);
    if (start >= 0) return [...stack.slice(start), job];
    if (done.has(job)) return undefined;
    for (const next of upstream[job] ?? []) {
      const cycle = visit(next, [...stack, job]);
      if (cycle) return cycle;
    }
    done.add(job);
    return undefined;
  };
  for (let i = 0; i < jobs.length; i++) {
    const cycle = visit(i, []);
    if (!cycle) continue;
    const names = cycle.map((j) => jobs[j]?.name).join(" -> ");
    issues.error(["jobs", cycle[0] ?? i], `pipeline contains a cycle through passed: ${names}`);
    return;
  }
}

/** Checks on groups: their job globs match jobs, their resources exist, and no job is left out. */
import { matchingNames } from "./glob.ts";
import type { IssueCollector } from "./issues.ts";
import type { Pipeline } from "./pipeline.ts";

export function checkGroups(issues: IssueCollector, pipeline: Pipeline): void {
  const groups = pipeline.groups ?? [];
  const jobs = pipeline.jobs ?? [];
  const resources = new Set((pipeline.resources ?? []).map((r) => r.name));
  const grouped = new Set<string>();
  groups.forEach((group, g) => {
    group.jobs?.forEach((glob, j) => {
      const matching = matchingNames(glob, jobs);
      if (!matching) {
        issues.error(["groups", g, "jobs", j], `invalid glob expression '${glob}'`);
        return;
      }
      if (matching.length === 0) issues.error(["groups", g, "jobs", j], `no job matches '${glob}'`);
      for (const job of matching) grouped.add(job.name);
    });
    group.resources?.forEach((name, r) => {
      if (!resources.has(name)) issues.error(["groups", g, "resources", r], `unknown resource '${name}'`);
    });
  });
  if (groups.length === 0) return;
  jobs.forEach((job, i) => {
    if (!grouped.has(job.name)) issues.error(["jobs", i], `job '${job.name}' belongs to no group`);
  });
}

/**
 * The semantic checks of a pipeline that already has the right shape, as Concourse's
 * atc/configvalidate makes them, plus the resource-type check Sluice can make because it knows
 * its core types.
 */
import { checkGroups } from "./group-checks.ts";
import { checkUniqueNames } from "./identifiers.ts";
import { IssueCollector, type PipelineIssues } from "./issues.ts";
import { checkJobs } from "./job-checks.ts";
import type { Pipeline } from "./pipeline.ts";
import { CORE_RESOURCE_TYPES, checkResources, resourceTypeCheck } from "./resource-checks.ts";
import { checkJobSteps } from "./step-checks.ts";

export interface ValidateOptions {
  /** The resource types available without declaring them; CORE_RESOURCE_TYPES by default. */
  coreResourceTypes?: readonly string[];
}

export function validatePipeline(pipeline: Pipeline, options: ValidateOptions = {}): PipelineIssues {
  const issues = new IssueCollector();
  const checkResourceType = resourceTypeCheck(
    issues,
    pipeline,
    options.coreResourceTypes ?? CORE_RESOURCE_TYPES,
  );
  checkUniqueNames(issues, "resources", pipeline.resources);
  checkUniqueNames(issues, "resource_types", pipeline.resource_types);
  checkUniqueNames(issues, "jobs", pipeline.jobs);
  checkUniqueNames(issues, "groups", pipeline.groups);
  checkUniqueNames(issues, "var_sources", pipeline.var_sources);
  checkResources(issues, pipeline, checkResourceType);
  checkJobs(issues, pipeline);
  (pipeline.jobs ?? []).forEach((job, i) =>
    checkJobSteps({ issues, pipeline, checkResourceType }, job, ["jobs", i]),
  );
  checkGroups(issues, pipeline);
  checkDisplay(issues, pipeline);
  return { errors: issues.errors, warnings: issues.warnings };
}

function checkDisplay(issues: IssueCollector, pipeline: Pipeline): void {
  const image = pipeline.display?.background_image;
  if (image === undefined) return;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(image)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") {
    issues.error(["display", "background_image"], "scheme must be http, https or none (a relative URL)");
  }
}

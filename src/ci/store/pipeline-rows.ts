/**
 * What a pipeline config declares, in the shape the store keeps per row. Fields holding a
 * `((var))` take their default here: the scheduler reads the evaluated config when it matters.
 */
import type { Job, Pipeline, Resource, ResourceType } from "../pipeline/index.ts";
import { resourceConfigHash } from "./canonical-json.ts";
import type { JobSettings, LogRetention } from "./store.ts";

export interface DeclaredResource {
  name: string;
  oldName: string | undefined;
  type: string;
  configHash: string;
  checkEvery: string | undefined;
}

export interface DeclaredJob extends JobSettings {
  name: string;
  oldName: string | undefined;
}

export interface DeclaredPipeline {
  resources: DeclaredResource[];
  resourceTypes: DeclaredResource[];
  jobs: DeclaredJob[];
}

export function declaredRows(config: Pipeline): DeclaredPipeline {
  return {
    resources: (config.resources ?? []).map(declaredResource),
    resourceTypes: (config.resource_types ?? []).map(declaredResource),
    jobs: (config.jobs ?? []).map(declaredJob),
  };
}

function declaredResource(r: Resource | ResourceType): DeclaredResource {
  return {
    name: r.name,
    oldName: "old_name" in r ? r.old_name : undefined,
    type: r.type,
    configHash: resourceConfigHash(r.type, r.source),
    checkEvery: r.check_every || undefined,
  };
}

function declaredJob(job: Job): DeclaredJob {
  const serialGroups = job.serial_groups ?? [];
  return {
    name: job.name,
    oldName: job.old_name,
    serial: job.serial === true || serialGroups.length > 0,
    serialGroups,
    maxInFlight: count(job.max_in_flight),
    interruptible: job.interruptible === true,
    disableManualTrigger: job.disable_manual_trigger === true,
    logRetention: logRetention(job),
  };
}

function logRetention(job: Job): LogRetention {
  const r = job.build_log_retention;
  const retention: LogRetention = {};
  const builds = count(r?.builds) ?? count(job.build_logs_to_retain);
  const days = count(r?.days);
  const minimum = count(r?.minimum_succeeded_builds);
  if (builds !== undefined) retention.builds = builds;
  if (days !== undefined) retention.days = days;
  if (minimum !== undefined) retention.minimumSucceededBuilds = minimum;
  return retention;
}

/** Concourse reads 0 as "no limit" for these counts. */
function count(value: number | string | undefined): number | undefined {
  return typeof value === "number" && value > 0 ? value : undefined;
}

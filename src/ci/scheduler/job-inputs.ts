/** A job's inputs as scheduling sees them: one per get step, with its constraints spelled out. */
import { matchingNames } from "../pipeline/glob.ts";
import { resourceOf, resourcesOf } from "../pipeline/step-tree.ts";
import type { Version } from "../pipeline/fields.ts";
import type { GetStep, Job, Pipeline } from "../pipeline/index.ts";

export type PinSource = "get step" | "resource config" | "API";

export type VersionRule =
  | { kind: "latest" }
  | { kind: "every" }
  | { kind: "pinned"; fields: Version; source: PinSource; comment?: string };

export interface JobInput {
  /** The get step's name: the artifact name in the build. */
  name: string;
  resource: string;
  /** Job names, globs expanded, in the order listed. */
  passed: string[];
  trigger: boolean;
  version: VersionRule;
}

/** A pin set through the API (`sluice ci pin-resource`), with the comment people left. */
export interface ApiPin {
  fields: Version;
  comment?: string;
}

function versionRule(
  get: GetStep,
  resourceVersion: Version | undefined,
  apiPin: ApiPin | undefined,
): VersionRule {
  const stepVersion = get.version;
  if (typeof stepVersion === "object") return { kind: "pinned", fields: stepVersion, source: "get step" };
  if (resourceVersion) return { kind: "pinned", fields: resourceVersion, source: "resource config" };
  if (apiPin) {
    const comment = apiPin.comment === undefined ? {} : { comment: apiPin.comment };
    return { kind: "pinned", fields: apiPin.fields, source: "API", ...comment };
  }
  return stepVersion === "every" ? { kind: "every" } : { kind: "latest" };
}

function passedJobs(globs: readonly string[], jobs: readonly Job[]): string[] {
  const names = globs.flatMap((glob) => (matchingNames(glob, jobs) ?? []).map((job) => job.name));
  return [...new Set(names)];
}

/**
 * The inputs of job `jobName` of a valid pipeline, one per get step, wherever it sits in the
 * plan. A pin in the get step wins over one in the resource's config, which wins over an API pin
 * (as Concourse's job inputs read them).
 */
export function jobInputs(
  pipeline: Pipeline,
  jobName: string,
  apiPins: ReadonlyMap<string, ApiPin> = new Map(),
): JobInput[] {
  const jobs = pipeline.jobs ?? [];
  const job = jobs.find((j) => j.name === jobName);
  if (!job) throw new Error(`job ${JSON.stringify(jobName)} is not in the pipeline`);
  const resources = new Map((pipeline.resources ?? []).map((r) => [r.name, r]));
  return resourcesOf(job).gets.map((get) => {
    const resource = resourceOf(get);
    return {
      name: get.get,
      resource,
      passed: passedJobs(get.passed ?? [], jobs),
      trigger: get.trigger === true,
      version: versionRule(get, resources.get(resource)?.version, apiPins.get(resource)),
    };
  });
}

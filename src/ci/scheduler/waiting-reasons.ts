/** Why a job waits, in words a person can act on: which input, which constraint. */
import type { Version } from "../pipeline/fields.ts";

/** `{ref: abc, branch: main}`: a version as people write it in a pipeline. */
export function formatVersion(version: Version): string {
  return `{${Object.entries(version)
    .map(([key, value]) => `${key}: ${value}`)
    .join(", ")}}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function listNames(names: readonly string[]): string {
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

const jobs = (names: readonly string[]) => `${names.length === 1 ? "job" : "jobs"} ${listNames(names)}`;

export const reasons = {
  noVersions: (resource: string) => `no versions of ${resource} yet`,
  allDisabled: (resource: string) => `every version of ${resource} is disabled`,
  pinNotFound: (resource: string, fields: Version) =>
    `pinned version ${formatVersion(fields)} of ${resource} not found`,
  notPassed: (resource: string, job: string) => `no version of resource ${resource} has passed job ${job}`,
  pinNotPassed: (resource: string, fields: Version, job: string) =>
    `pinned version ${formatVersion(fields)} of ${resource} has not passed job ${job}`,
  notPassedTogether: (resources: readonly string[], passed: readonly string[]) =>
    `versions of ${listNames(resources)} that passed ${jobs(passed)} together: none`,
};

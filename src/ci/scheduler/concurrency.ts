/**
 * Whether a pending build may start under its job's limits, as Concourse's ScheduleBuild decides:
 * `serial: true` and `serial_groups` allow one build in flight, `max_in_flight: N` allows N. A job
 * with a limit and no serial groups is its own group. Builds in flight across every job sharing
 * a group count against the limit, and the group's pending builds start oldest first (a rerun
 * ranks as the build it reruns).
 */
import type { Job } from "../pipeline/index.ts";
import { listNames } from "./waiting-reasons.ts";

export interface ActiveBuild {
  /** Global creation order: higher ids were created later. */
  id: number;
  job: string;
  name: string;
  state: "pending" | "running";
  /** The id of the build this one reruns. */
  rerunOf?: number;
}

export interface ConcurrencyLimit {
  /** 0 for no limit. */
  maxInFlight: number;
  serialGroups: string[];
}

export function concurrencyOf(job: Job): ConcurrencyLimit {
  const groups = job.serial_groups ?? [];
  const maxInFlight =
    job.serial === true || groups.length > 0
      ? 1
      : typeof job.max_in_flight === "number"
        ? job.max_in_flight
        : 0;
  if (groups.length > 0) return { maxInFlight, serialGroups: groups };
  return { maxInFlight, serialGroups: maxInFlight > 0 ? [job.name] : [] };
}

export type StartDecision = { start: true } | { start: false; reason: string };

const label = (build: ActiveBuild) => `${build.job} #${build.name}`;
const queueOrder = (a: ActiveBuild, b: ActiveBuild) =>
  (a.rerunOf ?? a.id) - (b.rerunOf ?? b.id) || a.id - b.id;

function busyReason(
  job: Job,
  limit: ConcurrencyLimit,
  running: ActiveBuild[],
  groupOf: (b: ActiveBuild) => string,
) {
  if (job.serial_groups?.length) {
    const [first] = running;
    return first ? `serial group ${groupOf(first)} is busy with job ${label(first)}` : "";
  }
  const names = running.map((build) => `#${build.name}`);
  if (limit.maxInFlight === 1) return `job ${job.name} is serial and ${listNames(names)} is running`;
  return `max_in_flight ${limit.maxInFlight} reached: ${listNames(names)} are running`;
}

/** Whether `build`, pending, may start now, given the pipeline's jobs and their pending and running builds. */
export function mayStart(
  jobs: readonly Job[],
  build: ActiveBuild,
  active: readonly ActiveBuild[],
): StartDecision {
  const job = jobs.find((j) => j.name === build.job);
  if (!job) throw new Error(`job ${JSON.stringify(build.job)} is not in the pipeline`);
  const limit = concurrencyOf(job);
  if (limit.maxInFlight === 0) return { start: true };
  const groupsOfJob = new Map(jobs.map((j) => [j.name, concurrencyOf(j).serialGroups]));
  const sharedGroup = (other: ActiveBuild) => limit.serialGroups.find((group) => groupOf(other, group)) ?? "";
  const groupOf = (other: ActiveBuild, group: string) => groupsOfJob.get(other.job)?.includes(group) ?? false;
  const inGroups = active.filter((other) => sharedGroup(other) !== "");
  const running = inGroups.filter((other) => other.state === "running");
  if (running.length >= limit.maxInFlight) {
    return { start: false, reason: busyReason(job, limit, running, sharedGroup) };
  }
  const [next] = inGroups.filter((other) => other.state === "pending").sort(queueOrder);
  if (next && next.id !== build.id) {
    const where = job.serial_groups?.length ? ` in serial group ${sharedGroup(next)}` : "";
    return { start: false, reason: `job ${label(next)} is pending ahead of it${where}` };
  }
  return { start: true };
}

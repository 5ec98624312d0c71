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
  if (groups.length > 0) return { maxInFlight: 1, serialGroups: groups };
  const limit = typeof job.max_in_flight === "number" ? job.max_in_flight : 0;
  const maxInFlight = job.serial === true ? 1 : limit;
  return { maxInFlight, serialGroups: maxInFlight > 0 ? [job.name] : [] };
}

export type StartDecision = { start: true } | { start: false; reason: string };

/** A build of the group and the serial group it shares with the build asking to start. */
interface GroupBuild {
  build: ActiveBuild;
  group: string;
}

const label = ({ build }: GroupBuild) => `job ${build.job} #${build.name}`;
const queueOrder = ({ build: a }: GroupBuild, { build: b }: GroupBuild) =>
  (a.rerunOf ?? a.id) - (b.rerunOf ?? b.id) || a.id - b.id;

function busyReason(job: Job, limit: ConcurrencyLimit, running: GroupBuild[]): string {
  const [first] = running;
  if (job.serial_groups?.length && first) return `serial group ${first.group} is busy with ${label(first)}`;
  const names = listNames(running.map(({ build }) => `#${build.name}`));
  if (limit.maxInFlight === 1) return `job ${job.name} is serial and ${names} is running`;
  return `max_in_flight ${limit.maxInFlight} reached: ${names} are running`;
}

/** The builds of `active` in a serial group of `limit`, each with the first group it shares. */
function buildsInGroups(jobs: readonly Job[], limit: ConcurrencyLimit, active: readonly ActiveBuild[]) {
  const groupsOfJob = new Map(jobs.map((j) => [j.name, concurrencyOf(j).serialGroups]));
  return active.flatMap((build): GroupBuild[] => {
    const groups = groupsOfJob.get(build.job) ?? [];
    const group = limit.serialGroups.find((g) => groups.includes(g));
    return group === undefined ? [] : [{ build, group }];
  });
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
  const inGroups = buildsInGroups(jobs, limit, active);
  const running = inGroups.filter((other) => other.build.state === "running");
  if (running.length >= limit.maxInFlight) return { start: false, reason: busyReason(job, limit, running) };
  const [next] = inGroups.filter((other) => other.build.state === "pending").sort(queueOrder);
  if (next && next.build.id !== build.id) {
    const where = job.serial_groups?.length ? ` in serial group ${next.group}` : "";
    return { start: false, reason: `${label(next)} is pending ahead of it${where}` };
  }
  return { start: true };
}

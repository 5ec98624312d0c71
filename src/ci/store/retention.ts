/** `build_log_retention` as Concourse's build log reaper applies it: which finished builds lose their logs. */
import type { BuildStatus, LogRetention } from "./store.ts";

export interface RetainedBuild {
  id: number;
  status: BuildStatus;
  endedAt: number;
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Of one job's builds with a log (finished, newest first), those beyond the last `builds` or ended
 * more than `days` ago, except the newest `minimumSucceededBuilds` succeeded ones.
 */
export function buildsToReap(builds: RetainedBuild[], retention: LogRetention, now: number): number[] {
  const { builds: keep, days, minimumSucceededBuilds = 0 } = retention;
  let succeededKept = 0;
  const reaped: number[] = [];
  builds.forEach((build, index) => {
    const beyondCount = keep !== undefined && index >= keep;
    const tooOld = days !== undefined && build.endedAt < now - days * dayMs;
    if (build.status === "succeeded" && succeededKept < minimumSucceededBuilds) {
      succeededKept++;
      return;
    }
    if (beyondCount || tooOld) reaped.push(build.id);
  });
  return reaped;
}

/** The oldest logs to remove so that the rest fit in `maxBytes`; `logs` oldest first. */
export function logsOverBound(logs: { id: number; bytes: number }[], maxBytes: number): number[] {
  let excess = logs.reduce((sum, log) => sum + log.bytes, 0) - maxBytes;
  const reaped: number[] = [];
  for (const log of logs) {
    if (excess <= 0) break;
    reaped.push(log.id);
    excess -= log.bytes;
  }
  return reaped;
}

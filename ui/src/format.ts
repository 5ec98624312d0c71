/** Small formatting helpers: durations, relative times, status words. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600)
    return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")}m`;
}

export function ago(unixSeconds: number | null | undefined): string {
  if (!unixSeconds) return "";
  return `${duration(Math.max(0, Date.now() / 1000 - unixSeconds))} ago`;
}

export function buildDuration(build: { start_time?: number | null; end_time?: number | null }): string {
  if (!build.start_time) return "";
  return duration((build.end_time ?? Date.now() / 1000) - build.start_time);
}

export const running = (status: string | undefined) => status === "started" || status === "pending";

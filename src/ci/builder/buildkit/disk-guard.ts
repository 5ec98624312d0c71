/**
 * A build that would fill the disk fails instead of the machine: while it runs, the free space of
 * the filesystem holding the builder's state is read every second, and the build is stopped when
 * it drops below the bound. (BuildKit bounds its cache between builds, not one build's growth.)
 */
import { statfs } from "node:fs/promises";

export interface DiskGuard {
  /** Fires when free space ran low. */
  readonly signal: AbortSignal;
  /** Why it fired, for the build's error; undefined while it has not. */
  readonly reason: () => string | undefined;
  stop(): void;
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

export async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

export function guardDisk(dir: string, minFreeBytes: number, intervalMs = 1000): DiskGuard {
  const controller = new AbortController();
  let reason: string | undefined;
  const check = async () => {
    const free = await freeBytes(dir).catch(() => Number.POSITIVE_INFINITY);
    if (free >= minFreeBytes || controller.signal.aborted) return;
    reason = `the build was stopped: the disk holding ${dir} has ${gib(free)} free, below the builder's bound of ${gib(minFreeBytes)}`;
    controller.abort();
  };
  void check();
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  return { signal: controller.signal, reason: () => reason, stop: () => clearInterval(timer) };
}

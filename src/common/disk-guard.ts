/**
 * Work that would fill the disk fails instead of the machine: while it runs, the free space of
 * the filesystem holding its directory is read every second, and it is stopped when it drops
 * below the bound (an image build, a task writing without end).
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

/** `what`: the work stopped ("the build"); `owner`: whose bound it is ("the builder's"). */
export function guardDisk(
  dir: string,
  minFreeBytes: number,
  names: { what: string; owner: string },
  intervalMs = 1000,
): DiskGuard {
  const controller = new AbortController();
  let reason: string | undefined;
  const check = async () => {
    const free = await freeBytes(dir).catch(() => Number.POSITIVE_INFINITY);
    if (free >= minFreeBytes || controller.signal.aborted) return;
    reason = `${names.what} was stopped: the disk holding ${dir} has ${gib(free)} free, below ${names.owner} bound of ${gib(minFreeBytes)}`;
    controller.abort();
  };
  void check();
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  return { signal: controller.signal, reason: () => reason, stop: () => clearInterval(timer) };
}

/**
 * Sends `signal` to the process group led by `pid` (children started with `detached: true` lead
 * their own), falling back to the process alone when it has no group; a process already gone is
 * not an error.
 */
export function killProcessGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Sends `signal` to the process group led by `pid` only. Safe after the leader has exited: the
 * group's ID cannot be reused while any member lives, so this reaches leftovers or nothing.
 */
export function killOrphanedGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The whole group is gone.
  }
}

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

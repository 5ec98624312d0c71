/**
 * A server killed with SIGKILL cannot stop its buildkitd, which then holds the state directory's
 * lock and keeps the next one from starting. The daemon's PID is recorded beside its config; at
 * the next start a process with that PID still running that config is killed first.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const pidFile = (stateDir: string) => path.join(stateDir, "buildkitd.pid");

const runsConfig = async (pid: number, configFile: string): Promise<boolean> =>
  (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).split("\0").includes(configFile);

export async function stopLeftoverDaemon(stateDir: string, configFile: string): Promise<void> {
  const pid = Number(await readFile(pidFile(stateDir), "utf8").catch(() => ""));
  if (!Number.isInteger(pid) || pid <= 0 || !(await runsConfig(pid, configFile))) return;
  process.kill(pid, "SIGKILL");
  for (let i = 0; i < 100 && (await runsConfig(pid, configFile)); i++) await sleep(50);
  await rm(pidFile(stateDir), { force: true });
}

export function recordDaemon(stateDir: string, pid: number): Promise<void> {
  return writeFile(pidFile(stateDir), String(pid));
}

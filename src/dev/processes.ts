import { spawn } from "node:child_process";
import { open, readdir, readFile, readlink, realpath } from "node:fs/promises";
import path from "node:path";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { killProcessGroup } from "../process/kill.ts";

/** A process started by `sluice dev up`, recorded so `dev down` can stop it by PID. */
export interface ManagedProcess {
  name: string;
  pid: number;
  /** The program it runs (what a wrapper such as `ip netns exec` execs into); compared with /proc/PID/exe so a reused PID is never killed */
  command: string;
  log: string;
}

/** Starts a process in its own process group, detached from ours, output appended to a log file. */
export async function startDetached(
  name: string,
  command: string,
  args: string[],
  options: {
    log: string;
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    user?: { uid: number; gid: number };
    /** The program `command` replaces itself with, when it is a wrapper. */
    execs?: string;
  },
): Promise<ManagedProcess> {
  const log = await open(options.log, "a");
  try {
    const child = spawn(command, args, {
      detached: true,
      stdio: ["ignore", log.fd, log.fd],
      env: options.env ?? process.env,
      cwd: options.cwd,
      ...options.user,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once("error", reject);
      child.once("spawn", () => resolve(child.pid!));
    });
    child.unref();
    return { name, pid, command: options.execs ?? command, log: options.log };
  } finally {
    await log.close();
  }
}

/**
 * True while the PID is alive and still runs the program we started (not a reused PID). The
 * executable is compared, not argv[0]: some daemons (sshd) rewrite their command line.
 */
export async function isRunning(p: ManagedProcess): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${p.pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z") return false;
    const [exe, expected] = await Promise.all([readlink(`/proc/${p.pid}/exe`), realpath(p.command)]);
    return exe === expected;
  } catch {
    return false;
  }
}

/** SIGTERM to the process group, then SIGKILL after the grace period. */
export async function stopProcess(p: ManagedProcess, graceMs = 5000): Promise<void> {
  if (!(await isRunning(p))) return;
  killProcessGroup(p.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isRunning(p))) return;
    await sleep(50);
  }
  killProcessGroup(p.pid, "SIGKILL");
  for (let i = 0; i < 100 && (await isRunning(p)); i++) await sleep(20);
}

/** The programs an environment runs (node runs its git server and sluice server). */
const componentPrograms = new Set([
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
  "docker-registry",
  "node",
  "sshd",
  "postgres",
  "containerd",
  "kubelet",
  "kube-proxy",
]);

/**
 * The environment's components whose command line names a path under `dir`, for when its state
 * file is gone (removed by hand, or by a failed purge), so `dev down` can still stop them.
 */
export async function processesUnder(dir: string): Promise<ManagedProcess[]> {
  const found: ManagedProcess[] = [];
  for (const entry of await readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const args = (await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "")).split("\0");
    if (!args.some((arg) => arg.includes(`${dir}/`))) continue;
    const exe = await readlink(`/proc/${entry}/exe`).catch(() => undefined);
    if (exe && componentPrograms.has(path.basename(exe)))
      found.push({ name: path.basename(exe), pid: Number(entry), command: exe, log: "" });
  }
  return found;
}

/** The last lines of a component's log, for error messages. */
export async function logTail(file: string, lines = 15): Promise<string> {
  try {
    return (await readFile(file, "utf8")).trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** A currently free TCP port on the loopback address. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns true; fails with `what` and the log tail when the process dies or time runs out. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs: number; process?: ManagedProcess; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (options.process && !(await isRunning(options.process))) {
      throw new Error(
        `${what}: ${options.process.name} exited. Last log lines (${options.process.log}):\n${await logTail(options.process.log)}`,
      );
    }
    if (Date.now() > deadline) {
      const tail = options.process
        ? `\nLast log lines (${options.process.log}):\n${await logTail(options.process.log)}`
        : "";
      throw new Error(`${what}: not ready after ${options.timeoutMs / 1000}s${tail}`);
    }
    await sleep(options.intervalMs ?? 100);
  }
}

/** True when a TCP server at host:port greets with a line starting with `prefix` (e.g. sshd's "SSH-"). */
export async function tcpBanner(host: string, port: number, prefix: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("data", (chunk) => done(chunk.toString("latin1").startsWith(prefix)));
  });
}

/** Resolves with the first SIGTERM or SIGINT: a component's main waits on it, then closes. */
export function nextTerminationSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      resolve(signal);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

/**
 * A long-running child Sluice owns (a builder daemon): its own process group, an explicit
 * environment, its output kept as a tail for error messages, stopped with SIGTERM then SIGKILL
 * to the whole group, and never outliving the server that started it.
 */
import { spawn } from "node:child_process";
import { killOrphanedGroup, killProcessGroup } from "./kill.ts";
import { LineSplitter } from "./output.ts";

export interface DaemonOptions {
  env: Readonly<Record<string, string>>;
  cwd?: string | undefined;
  /** Each line the daemon writes, for a log. */
  onLine?: ((line: string) => void) | undefined;
}

export interface Daemon {
  readonly pid: number;
  /** Resolves with the exit code (or signal) when the daemon exits, for whatever reason. */
  readonly exited: Promise<string>;
  /** True until the daemon exits. */
  running(): boolean;
  /** The daemon's last lines of output, for an error message. */
  tail(): string;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const tailLines = 20;

/** Starts `file args` as a daemon; rejects when it cannot be started at all. */
export async function startDaemon(
  file: string,
  args: readonly string[],
  options: DaemonOptions,
): Promise<Daemon> {
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const recent: string[] = [];
  const onLine = (line: string): void => {
    recent.push(line);
    if (recent.length > tailLines) recent.shift();
    options.onLine?.(line);
  };
  const out = new LineSplitter(onLine);
  const err = new LineSplitter(onLine);
  child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => err.push(chunk));

  let alive = true;
  const exited = new Promise<string>((resolve) => {
    child.on("close", (code, signal) => {
      alive = false;
      out.end();
      err.end();
      killOrphanedGroup(child.pid, "SIGKILL");
      resolve(signal ? `killed by ${signal}` : `exited with code ${code ?? "?"}`);
    });
  });
  const stopWithServer = (): void => killProcessGroup(child.pid, "SIGKILL");
  process.once("exit", stopWithServer);
  void exited.then(() => process.removeListener("exit", stopWithServer));

  const pid = await new Promise<number>((resolve, reject) => {
    child.once("error", (error) => reject(new Error(`${file} could not be started: ${error.message}`)));
    child.once("spawn", () => resolve(child.pid!));
  });

  return {
    pid,
    exited,
    running: () => alive,
    tail: () => recent.join("\n"),
    async stop(graceMs = 5_000) {
      if (!alive) return;
      killProcessGroup(pid, "SIGTERM");
      const timer = setTimeout(() => killProcessGroup(pid, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

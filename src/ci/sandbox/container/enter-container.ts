/**
 * `intercept`: a command run inside a running container — its mount, PID, UTS and IPC
 * namespaces, its root and working directory, its environment — with nsenter, under a
 * pseudo-terminal (util-linux `script`) when a person is typing. The container is found through
 * its outermost process: the first of its descendants in another PID namespace is bubblewrap's
 * init, whose child is the task's command.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readdir, readFile, readlink } from "node:fs/promises";
import { envFromEntries } from "./container-env.ts";
import { shellQuote } from "../../../common/shell-quote.ts";

export interface EnterOptions {
  argv: readonly string[];
  /** A pseudo-terminal of `rows` × `cols` (stdout and stderr merged, as on a terminal). */
  tty?: { rows: number; cols: number } | undefined;
}

async function parents(): Promise<Map<number, number[]>> {
  const children = new Map<number, number[]>();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so read after the last ')'
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (Number.isInteger(ppid)) children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  return children;
}

/** A process inside the container whose outermost process is `outerPid`; undefined once it is gone. */
export async function innerPid(outerPid: number): Promise<number | undefined> {
  const hostPidNs = await readlink("/proc/self/ns/pid");
  const children = await parents();
  const pending = [...(children.get(outerPid) ?? [])];
  while (pending.length > 0) {
    const pid = pending.shift()!;
    const ns = await readlink(`/proc/${pid}/ns/pid`).catch(() => hostPidNs);
    if (ns !== hostPidNs) return children.get(pid)?.[0] ?? pid;
    pending.push(...(children.get(pid) ?? []));
  }
  return undefined;
}

/** Starts `argv` in the container of `pid` (see innerPid); its stdio are pipes. */
export async function enterContainer(pid: number, options: EnterOptions): Promise<ChildProcess> {
  const env = envFromEntries((await readFile(`/proc/${pid}/environ`, "utf8")).split("\0"));
  const nsenter = ["/usr/bin/nsenter", "--target", String(pid), "--mount", "--uts", "--ipc", "--pid"];
  nsenter.push("--root", "--wd", "--", ...options.argv);
  if (!options.tty) return spawn(nsenter[0]!, nsenter.slice(1), { env, stdio: "pipe" });
  const { rows, cols } = options.tty;
  const command = `stty rows ${rows} cols ${cols} 2>/dev/null; exec ${nsenter.map(shellQuote).join(" ")}`;
  return spawn("/usr/bin/script", ["--quiet", "--flush", "--return", "--command", command, "/dev/null"], {
    env: { ...env, TERM: env["TERM"] ?? "xterm" },
    stdio: "pipe",
  });
}

import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { projectRoot } from "../../src/common/toolchain.ts";

const clockTicks = 100;

/** CPU seconds of a process: user + system, plus its reaped children (the git and kustomize it ran). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / clockTicks;
}

/** Peak resident memory of a process, in MiB. */
export async function peakRssMiB(pid: number): Promise<number> {
  return Number(/VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
}

/** Runs `fn` over `items`, `size` at a time. */
export async function inBatches<T>(
  items: T[],
  size: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** Objects of a kind in a namespace whose Ready condition is True. */
export function countReady(
  items: { status?: { conditions?: { type: string; status: string }[] } }[],
): number {
  return items.filter((o) => o.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
    .length;
}

/**
 * `sluice server` as its own process (so its CPU and memory can be read), watching one namespace,
 * with bin/sluice's young-generation size (BENCH_SEMI_SPACE_MB overrides it, to compare).
 */
export function spawnServer(
  kubeconfig: string,
  storage: string,
  namespace: string,
  concurrency: number,
  controllers: string[],
): ChildProcess {
  const args = [
    "--disable-warning=ExperimentalWarning",
    `--max-semi-space-size=${process.env["BENCH_SEMI_SPACE_MB"] ?? 2}`,
    path.join(projectRoot, "src/cli/main.ts"),
    "server",
    "--kubeconfig",
    kubeconfig,
    "--watch-namespace",
    namespace,
    "--storage-path",
    storage,
    "--storage-addr",
    "127.0.0.1:0",
    "--health-addr",
    "127.0.0.1:0",
    "--receiver-addr",
    "127.0.0.1:0",
    "--concurrent",
    String(concurrency),
    "--log-level",
    "warn",
    "--controllers",
    controllers.join(","),
  ];
  return spawn(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
}

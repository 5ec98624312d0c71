/**
 * A cgroup per container, for what namespaces cannot bound: memory (`container_limits.memory`),
 * CPU weight (`container_limits.cpu`, Concourse's shares) and a process count (a fork bomb
 * stops at it instead of taking the machine). cgroup v1 (one hierarchy per controller, as on
 * this project's machines) and v2 (one unified tree) are both driven through the same few files.
 * Groups live under `sluice/` in each hierarchy and are removed, anything left in them killed,
 * when the container ends. Where neither can be written, `detectCgroups` says why and containers
 * run unbounded.
 */
import { access, mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface ContainerLimits {
  /** Concourse's CPU shares (1024 = one share of the default weight). */
  cpuShares?: number | undefined;
  memoryBytes?: number | undefined;
  maxProcesses: number;
}

/** What the kernel held a container back from, read at its end. */
export interface CgroupPressure {
  /** Processes killed for exceeding the memory limit. */
  oomKills: number;
  /** Forks refused at the process limit. */
  forkRefusals: number;
}

export interface ContainerCgroup {
  /** The files the container's first process writes its PID to, to join the group before it execs. */
  readonly procsFiles: readonly string[];
  pressure(): Promise<CgroupPressure>;
  /** Kills whatever is left in the group and removes it. */
  remove(): Promise<void>;
}

export interface Cgroups {
  readonly version: 1 | 2;
  create(name: string, limits: ContainerLimits): Promise<ContainerCgroup>;
  /** Kills and removes the groups whose name begins with `prefix` (a crashed server's). */
  removeAll(prefix: string): Promise<void>;
}

async function groupsWithPrefix(parents: readonly string[], prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (const parent of parents) {
    const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
    for (const entry of entries)
      if (entry.isDirectory() && entry.name.startsWith(prefix)) found.push(path.join(parent, entry.name));
  }
  return found;
}

/** Counters of a `key value` per line file (memory.events, pids.events, memory.oom_control). */
async function counter(file: string, key: string): Promise<number> {
  const text = await readFile(file, "utf8").catch(() => "");
  const line = text.split("\n").find((l) => l.startsWith(`${key} `));
  return Number(line?.split(" ")[1] ?? 0);
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

async function killAll(dirs: readonly string[]): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = new Set<number>();
    for (const dir of dirs) {
      const text = await readFile(path.join(dir, "cgroup.procs"), "utf8").catch(() => "");
      for (const pid of text.split("\n").filter(Boolean)) pids.add(Number(pid));
    }
    if (pids.size === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await sleep(20);
  }
}

async function removeGroups(dirs: readonly string[]): Promise<void> {
  await killAll(dirs);
  await Promise.all(dirs.map((dir) => rmdir(dir).catch(() => undefined)));
}

/** cgroup v2's weight from Concourse's shares (the conversion runc and crun use). */
export const weightOfShares = (shares: number) =>
  Math.min(10_000, 1 + Math.floor(((Math.max(2, shares) - 2) * 9999) / 262_142));

const v1Controllers = ["pids", "memory", "cpu"];

class CgroupsV1 implements Cgroups {
  readonly version = 1;
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async removeAll(prefix: string): Promise<void> {
    const parents = v1Controllers.map((controller) => path.join(this.#root, controller, "sluice"));
    await removeGroups(await groupsWithPrefix(parents, prefix));
  }

  async create(name: string, limits: ContainerLimits): Promise<ContainerCgroup> {
    const dir = (controller: string) => path.join(this.#root, controller, "sluice", name);
    const dirs = v1Controllers.map(dir);
    try {
      await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
      await writeFile(path.join(dir("pids"), "pids.max"), String(limits.maxProcesses));
      if (limits.memoryBytes !== undefined) {
        await writeFile(path.join(dir("memory"), "memory.limit_in_bytes"), String(limits.memoryBytes));
        // without swap accounting the limit holds for memory only; with it, for swap too
        const swap = path.join(dir("memory"), "memory.memsw.limit_in_bytes");
        if (await exists(swap)) await writeFile(swap, String(limits.memoryBytes));
      }
      if (limits.cpuShares !== undefined)
        await writeFile(path.join(dir("cpu"), "cpu.shares"), String(limits.cpuShares));
    } catch (error) {
      await removeGroups(dirs);
      throw error;
    }
    return {
      procsFiles: dirs.map((d) => path.join(d, "cgroup.procs")),
      pressure: async () => {
        const oomKills = await counter(path.join(dir("memory"), "memory.oom_control"), "oom_kill");
        const failcnt = Number(
          (await readFile(path.join(dir("memory"), "memory.failcnt"), "utf8").catch(() => "0")).trim(),
        );
        return {
          // kernels before 4.13 count no OOM kills; a hit limit is the sign there
          oomKills: oomKills > 0 || limits.memoryBytes === undefined ? oomKills : Math.min(failcnt, 1),
          forkRefusals: await counter(path.join(dir("pids"), "pids.events"), "max"),
        };
      },
      remove: () => removeGroups(dirs),
    };
  }
}

class CgroupsV2 implements Cgroups {
  readonly version = 2;
  readonly #parent: string;

  constructor(parent: string) {
    this.#parent = parent;
  }

  async removeAll(prefix: string): Promise<void> {
    const dirs = await groupsWithPrefix([this.#parent], prefix);
    await Promise.all(
      dirs.map((dir) => writeFile(path.join(dir, "cgroup.kill"), "1").catch(() => undefined)),
    );
    await removeGroups(dirs);
  }

  async create(name: string, limits: ContainerLimits): Promise<ContainerCgroup> {
    const dir = path.join(this.#parent, name);
    await mkdir(dir);
    try {
      await writeFile(path.join(dir, "pids.max"), String(limits.maxProcesses));
      if (limits.memoryBytes !== undefined) {
        await writeFile(path.join(dir, "memory.max"), String(limits.memoryBytes));
        const swap = path.join(dir, "memory.swap.max");
        if (await exists(swap)) await writeFile(swap, "0");
      }
      if (limits.cpuShares !== undefined)
        await writeFile(path.join(dir, "cpu.weight"), String(weightOfShares(limits.cpuShares)));
    } catch (error) {
      await removeGroups([dir]);
      throw error;
    }
    return {
      procsFiles: [path.join(dir, "cgroup.procs")],
      pressure: async () => ({
        oomKills: await counter(path.join(dir, "memory.events"), "oom_kill"),
        forkRefusals: await counter(path.join(dir, "pids.events"), "max"),
      }),
      remove: async () => {
        await writeFile(path.join(dir, "cgroup.kill"), "1").catch(() => undefined);
        await removeGroups([dir]);
      },
    };
  }
}

const v2Controllers = ["memory", "pids", "cpu"];

async function enableControllers(dir: string): Promise<void> {
  const available = (await readFile(path.join(dir, "cgroup.controllers"), "utf8")).trim().split(/\s+/);
  const missing = v2Controllers.filter((c) => !available.includes(c));
  if (missing.length > 0)
    throw new Error(`the cgroup v2 controllers ${missing.join(", ")} are not available at ${dir}`);
  await writeFile(path.join(dir, "cgroup.subtree_control"), v2Controllers.map((c) => `+${c}`).join(" "));
}

/**
 * The cgroups this process can create containers' groups in, or why it cannot (not root, a
 * read-only /sys/fs/cgroup, a controller missing), so the caller can say limits are not enforced.
 */
export async function detectCgroups(root = "/sys/fs/cgroup"): Promise<Cgroups | string> {
  try {
    if (await exists(path.join(root, "cgroup.controllers"))) {
      await enableControllers(root);
      const parent = path.join(root, "sluice");
      await mkdir(parent, { recursive: true });
      await enableControllers(parent);
      return new CgroupsV2(parent);
    }
    const missing = [];
    for (const controller of v1Controllers) {
      const dir = path.join(root, controller);
      if (!(await exists(path.join(dir, "cgroup.procs")))) missing.push(controller);
      else await mkdir(path.join(dir, "sluice"), { recursive: true });
    }
    if (missing.length > 0) return `no cgroup hierarchy for ${missing.join(", ")} under ${root}`;
    return new CgroupsV1(root);
  } catch (error) {
    return `cannot create cgroups under ${root}: ${(error as Error).message}`;
  }
}

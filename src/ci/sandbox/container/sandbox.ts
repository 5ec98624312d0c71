/**
 * The worker's containers with their bounds: each runs in a cgroup of its own (memory and CPU
 * from `container_limits`, a process limit always), with its writable layer under
 * `<workDir>/containers/`. A container is stopped, and says why, when the worker's disk runs low
 * or when it keeps forking at its process limit (a fork bomb never ends on its own); one killed
 * for memory is reported as such. Tasks and resource scripts run through it.
 */
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { guardDisk } from "../../../common/disk-guard.ts";
import { detectCgroups, type CgroupPressure, type Cgroups, type ContainerCgroup } from "./cgroups.ts";
import { runContainer, type ContainerSpec } from "./run-container.ts";
import { enterContainer, innerPid, type EnterOptions } from "./enter-container.ts";
import type { ChildProcess } from "node:child_process";

export interface SandboxOptions {
  /** Containers' writable layers go under `<workDir>/containers`; its disk is watched. */
  workDir: string;
  /** Detected when absent; a string says why containers cannot be bounded here. */
  cgroups?: Cgroups | string | undefined;
  /** Processes one container may have at once (default 4096). */
  maxProcesses?: number | undefined;
  /** Containers are stopped below this much free space on the worker's disk (default 1 GiB). */
  minFreeBytes?: number | undefined;
  /** A container refused forks for this long without a pause is stopped (default 5 s). */
  forkStallMs?: number | undefined;
}

/** Whom a container runs for, to say so in `sluice ci volumes`. */
export interface ContainerOwner {
  team: string;
  buildId: number;
  pipeline?: string | undefined;
  job?: string | undefined;
  /** `task build-image`, `check of resource type slack`, … */
  step: string;
}

export interface RunningContainer {
  /** Names it in `sluice ci containers` and `intercept`. */
  handle: string;
  layerDir: string;
  /** Its outermost process, once started. */
  pid?: number | undefined;
  owner: ContainerOwner | undefined;
  startedAt: number;
}

export interface SandboxRun extends Omit<ContainerSpec, "layerDir" | "cgroupProcs"> {
  limits?: { cpuShares?: number | undefined; memoryBytes?: number | undefined } | undefined;
  owner?: ContainerOwner | undefined;
}

export interface SandboxResult {
  exitCode: number;
  /** What the kernel held the container back from, for the log ("ran out of memory", …). */
  notes: string[];
}

/** A container stopped by the worker (disk, fork bomb): the step errors with this message. */
export class SandboxStopped extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxStopped";
  }
}

const mib = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;

/** Stops the container when its refused forks keep growing, second after second, for `stallMs`. */
function watchForks(cgroup: ContainerCgroup, stallMs: number, stop: () => void) {
  const everyMs = Math.min(1000, stallMs / 2);
  let last = 0;
  let since: number | undefined;
  const timer = setInterval(() => {
    void cgroup.pressure().then(({ forkRefusals }) => {
      const now = Date.now();
      if (forkRefusals > last) since ??= now;
      else since = undefined;
      last = forkRefusals;
      if (since !== undefined && now - since >= stallMs) stop();
    });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export class Sandbox {
  readonly #options: SandboxOptions;
  readonly #cgroups: Cgroups | string;
  /** Begins the names of this worker's cgroups: one per work directory, so servers and tests side by side never touch each other's. */
  readonly #prefix: string;
  readonly #running = new Map<string, RunningContainer>();

  private constructor(options: SandboxOptions, cgroups: Cgroups | string) {
    this.#options = options;
    this.#cgroups = cgroups;
    this.#prefix = createHash("sha256").update(path.resolve(options.workDir)).digest("hex").slice(0, 12);
  }

  /** Opens the worker's sandbox; the cgroups a crashed run on the same work directory left are removed, their processes killed. */
  static async open(options: SandboxOptions): Promise<Sandbox> {
    const sandbox = new Sandbox(options, options.cgroups ?? (await detectCgroups()));
    if (typeof sandbox.#cgroups !== "string") await sandbox.#cgroups.removeAll(`${sandbox.#prefix}-`);
    return sandbox;
  }

  /** Why memory and CPU limits are not enforced on this worker; undefined when they are. */
  get limitsUnavailable(): string | undefined {
    return typeof this.#cgroups === "string" ? this.#cgroups : undefined;
  }

  /** The containers running now. */
  containers(): RunningContainer[] {
    return [...this.#running.values()];
  }

  /** Starts a command inside a running container (`intercept`); undefined when no such container runs. */
  async enter(handle: string, options: EnterOptions): Promise<ChildProcess | undefined> {
    const outer = this.#running.get(handle)?.pid;
    const pid = outer === undefined ? undefined : await innerPid(outer);
    return pid === undefined ? undefined : enterContainer(pid, options);
  }

  get maxProcesses(): number {
    return this.#options.maxProcesses ?? 4096;
  }

  async run(run: SandboxRun): Promise<SandboxResult> {
    const handle = randomBytes(8).toString("hex");
    const name = `${this.#prefix}-${handle}`;
    const limits = { ...run.limits, maxProcesses: this.maxProcesses };
    const cgroup = typeof this.#cgroups === "string" ? undefined : await this.#cgroups.create(name, limits);
    const stopper = new AbortController();
    let stopped: string | undefined;
    const stallMs = this.#options.forkStallMs ?? 5000;
    const stopForkWatch = cgroup
      ? watchForks(cgroup, stallMs, () => {
          stopped = `the container was stopped: it kept forking at its limit of ${limits.maxProcesses} processes for ${stallMs / 1000} s`;
          stopper.abort();
        })
      : () => {};
    const { workDir } = this.#options;
    const layerDir = path.join(workDir, "containers", name);
    const running: RunningContainer = { handle, layerDir, owner: run.owner, startedAt: Date.now() };
    this.#running.set(handle, running);
    const disk = guardDisk(workDir, this.#options.minFreeBytes ?? 1024 ** 3, {
      what: "the container",
      owner: "the worker's",
    });
    try {
      const exitCode = await runContainer({
        ...run,
        layerDir,
        onSpawn: (pid) => (running.pid = pid),
        cgroupProcs: cgroup?.procsFiles,
        signal: AbortSignal.any([run.signal, stopper.signal, disk.signal]),
      });
      return { exitCode, notes: notesOf(cgroup && (await cgroup.pressure()), limits) };
    } catch (error) {
      const reason = stopped ?? disk.reason();
      if (reason !== undefined && !run.signal.aborted) throw new SandboxStopped(reason);
      throw error;
    } finally {
      this.#running.delete(handle);
      stopForkWatch();
      disk.stop();
      await cgroup?.remove();
    }
  }
}

function notesOf(
  pressure: CgroupPressure | undefined,
  limits: { memoryBytes?: number | undefined; maxProcesses: number },
): string[] {
  const notes: string[] = [];
  if (pressure && pressure.oomKills > 0 && limits.memoryBytes !== undefined) {
    notes.push(
      `the container ran out of memory: the kernel killed a process at its limit of ${mib(limits.memoryBytes)} (container_limits.memory)`,
    );
  }
  if (pressure && pressure.forkRefusals > 0) {
    notes.push(
      `the container reached its limit of ${limits.maxProcesses} processes: ${pressure.forkRefusals} forks were refused`,
    );
  }
  return notes;
}

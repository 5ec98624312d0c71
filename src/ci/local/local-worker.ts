/**
 * A worker on this machine for the CLI's own runs (`sluice ci execute`, `run-gitlab`,
 * `run-workflow`): the sandbox, image cache and image builder the server's builds use, with the
 * images kept under `~/.cache/sluice` (or `--cache-dir`). Runs one task step at a time per call,
 * its log lines handed to the caller.
 */
import path from "node:path";
import type { LeafStep, Outcome, RunContext } from "../build/index.ts";
import type { BuildStepEvent } from "../build/events.ts";
import { logLine } from "../build/index.ts";
import { createImageBuilder, defaultBuilderStateDir } from "../builder/index.ts";
import type { ImageBuilder } from "../builder/image-builder.ts";
import type { DirectoryArtifacts } from "../engine/builds/directory-artifacts.ts";
import type { TaskConfig } from "../pipeline/task-config.ts";
import { Sandbox } from "../sandbox/container/sandbox.ts";
import { ImageRootfsCache } from "../sandbox/rootfs/image-cache.ts";
import { TaskCaches } from "../sandbox/volumes/task-caches.ts";
import { exitStatusOf, taskStepRunner } from "../steps/task.ts";
import type { VarSource } from "../vars/source.ts";
import { LocalVarScope } from "../vars/local-vars.ts";
import { Redactor } from "../vars/redactor.ts";
import { cacheDir } from "../../common/toolchain.ts";
import type { RegistryMirrors } from "../../oci/mirrors.ts";

export interface LocalWorkerOptions {
  /** Scratch space for containers and caches; the caller removes it. */
  workDir: string;
  mirrors: RegistryMirrors;
  /** The image builder's state and the unpacked images (default: ~/.cache/sluice). */
  stateDir?: string | undefined;
}

export interface LocalTask {
  name: string;
  config: TaskConfig;
  privileged?: boolean;
  artifacts: DirectoryArtifacts;
  /** The task's ((vars)); none by default. */
  vars?: VarSource;
  /** Values never to show in the log. */
  secrets?: readonly string[];
  signal: AbortSignal;
  onLine: (line: string, stream: "stdout" | "stderr") => void;
}

const noVars: VarSource = { lookup: () => Promise.resolve(undefined), lookedIn: () => [] };

export interface TaskResult {
  outcome: Outcome;
  /** The process's exit status, when it ran to an end. */
  exitCode: number | undefined;
}

export class LocalWorker {
  readonly builder: ImageBuilder;
  readonly #run: ReturnType<typeof taskStepRunner>;

  private constructor(builder: ImageBuilder, run: ReturnType<typeof taskStepRunner>) {
    this.builder = builder;
    this.#run = run;
  }

  static async open(options: LocalWorkerOptions): Promise<LocalWorker> {
    const { stateDir, mirrors, workDir } = options;
    const builder = createImageBuilder({
      stateDir: stateDir ? path.join(stateDir, "builder") : defaultBuilderStateDir(),
      mirrors,
    });
    const run = taskStepRunner({
      images: new ImageRootfsCache({ dir: path.join(stateDir ?? cacheDir(), "images"), builder, mirrors }),
      builder,
      sandbox: await Sandbox.open({ workDir: path.join(workDir, "worker") }),
      caches: new TaskCaches({ dir: path.join(workDir, "worker", "caches") }),
    });
    return new LocalWorker(builder, run);
  }

  /** Runs the task; an error it throws is logged and makes it `errored`. */
  async runTask(task: LocalTask): Promise<TaskResult> {
    let exitCode: number | undefined;
    const redactor = new Redactor();
    for (const secret of task.secrets ?? []) redactor.record(secret);
    const ctx: RunContext = {
      signal: task.signal,
      vars: new LocalVarScope(task.vars ?? noVars),
      origin: task.name,
      build: {
        identity: { buildId: 0, buildName: "one-off", team: "main" },
        runner: { run: () => Promise.reject(new Error("a local run has only tasks")) },
        artifacts: task.artifacts,
        redactor,
        emit: (event: BuildStepEvent) => {
          if (event.type !== "log") return;
          if (event.data.stream === "stderr") exitCode = exitStatusOf(event.data.line) ?? exitCode;
          task.onLine(event.data.line, event.data.stream);
        },
        now: Date.now,
      },
    };
    const step = {
      kind: "task",
      config: { task: task.name, config: task.config, privileged: task.privileged ?? false },
    } as LeafStep<"task">;
    try {
      const outcome = await this.#run(step, ctx);
      return { outcome, exitCode: outcome === "succeeded" ? 0 : exitCode };
    } catch (error) {
      logLine(ctx, (error as Error).message, "stderr");
      return { outcome: "errored", exitCode: undefined };
    }
  }

  close(): Promise<void> {
    return this.builder.close();
  }
}

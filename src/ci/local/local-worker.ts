/**
 * A worker on this machine for the CLI's own runs (`sluice ci execute`, `run-gitlab`,
 * `run-workflow`): the sandbox, image cache and image builder the server's builds use, with the
 * images kept under `~/.cache/sluice` (or `--cache-dir`). Runs one task step at a time per call,
 * its log lines handed to the caller.
 */
import path from "node:path";
import { createImageBuilder, defaultBuilderStateDir } from "../builder/index.ts";
import type { ImageBuilder } from "../builder/image-builder.ts";
import { Sandbox } from "../sandbox/container/sandbox.ts";
import { ImageRootfsCache } from "../sandbox/rootfs/image-cache.ts";
import { TaskCaches } from "../sandbox/volumes/task-caches.ts";
import { runStandaloneTask, type StandaloneTask, type TaskResult } from "../steps/standalone-task.ts";
import { taskStepRunner } from "../steps/task.ts";
import { cacheDir } from "../../common/toolchain.ts";
import type { RegistryMirrors } from "../../oci/mirrors.ts";

export interface LocalWorkerOptions {
  /** Scratch space for containers and caches; the caller removes it. */
  workDir: string;
  mirrors: RegistryMirrors;
  /** The image builder's state and the unpacked images (default: ~/.cache/sluice). */
  stateDir?: string | undefined;
}

export interface LocalTask extends Omit<StandaloneTask, "identity" | "emit"> {
  onLine: (line: string, stream: "stdout" | "stderr") => void;
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

  /** Runs the task, its log lines handed to `onLine`. */
  runTask(task: LocalTask): Promise<TaskResult> {
    const { onLine, ...rest } = task;
    return runStandaloneTask(this.#run, {
      ...rest,
      identity: { buildId: 0, buildName: "one-off", team: "main" },
      emit: (event) => {
        if (event.type === "log") onLine(event.data.line, event.data.stream);
      },
    });
  }

  close(): Promise<void> {
    return this.builder.close();
  }
}

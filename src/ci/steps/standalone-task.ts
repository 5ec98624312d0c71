/**
 * One task step outside a pipeline's plan: a one-off on this machine (`sluice ci execute`,
 * `run-gitlab`) or a job of a GitLab/GitHub project on the server. The task's events go to
 * `emit`; its exit status is read back from the task's last line when it failed. An error the
 * step throws is logged and makes it `errored`.
 */
import type {
  Artifacts,
  BuildIdentity,
  LeafStep,
  Outcome,
  RunContext,
  StepRunnerOf,
} from "../build/index.ts";
import type { BuildStepEvent } from "../build/events.ts";
import { logLine } from "../build/index.ts";
import type { TaskConfig } from "../pipeline/task-config.ts";
import { LocalVarScope } from "../vars/local-vars.ts";
import { Redactor } from "../vars/redactor.ts";
import type { VarSource } from "../vars/source.ts";
import { exitStatusOf } from "./task.ts";

export interface StandaloneTask {
  name: string;
  config: TaskConfig;
  privileged?: boolean;
  /** The artifact holding the task's image (a root filesystem), instead of image_resource. */
  image?: string;
  artifacts: Artifacts;
  /** The task's ((vars)); none by default. */
  vars?: VarSource;
  /** Values never to show in the log. */
  secrets?: readonly string[];
  signal: AbortSignal;
  /** Names its container resolves (a job's services). */
  hosts?: Readonly<Record<string, string>>;
  identity: BuildIdentity;
  emit: (event: BuildStepEvent) => void;
}

export interface TaskResult {
  outcome: Outcome;
  /** The process's exit status, when it ran to an end. */
  exitCode: number | undefined;
}

const noVars: VarSource = { lookup: () => Promise.resolve(undefined), lookedIn: () => [] };

export async function runStandaloneTask(
  run: StepRunnerOf<"task">,
  task: StandaloneTask,
): Promise<TaskResult> {
  let exitCode: number | undefined;
  const redactor = new Redactor();
  for (const secret of task.secrets ?? []) redactor.record(secret);
  const ctx: RunContext = {
    signal: task.signal,
    vars: new LocalVarScope(task.vars ?? noVars),
    origin: task.name,
    build: {
      identity: task.identity,
      runner: { run: () => Promise.reject(new Error("a standalone task has no other step")) },
      artifacts: task.artifacts,
      redactor,
      ...(task.hosts && { hosts: task.hosts }),
      emit: (event) => {
        if (event.type === "log" && event.data.stream === "stderr")
          exitCode = exitStatusOf(event.data.line) ?? exitCode;
        task.emit(event);
      },
      now: Date.now,
    },
  };
  const step = {
    kind: "task",
    config: {
      task: task.name,
      config: task.config,
      privileged: task.privileged ?? false,
      ...(task.image !== undefined && { image: task.image }),
    },
  } as LeafStep<"task">;
  try {
    const outcome = await run(step, ctx);
    return { outcome, exitCode: outcome === "succeeded" ? 0 : exitCode };
  } catch (error) {
    logLine(ctx, (error as Error).message, "stderr");
    return { outcome: "errored", exitCode: undefined };
  }
}

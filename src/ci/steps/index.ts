/** The leaf steps of the local worker: get, put, set_pipeline and load_var here, task given by the sandbox. */
import { runLoadVar, runnersByKind, type StepRunner, type StepRunnerOf } from "../build/index.ts";
import type { StepEnvironment } from "./environment.ts";
import { runGet } from "./get.ts";
import { runPut } from "./put.ts";
import { runSetPipeline } from "./set-pipeline.ts";

export type { StepEnvironment } from "./environment.ts";

export class NoTaskWorkerError extends Error {
  constructor() {
    super("no worker can run tasks here");
    this.name = "NoTaskWorkerError";
  }
}

const noTasks: StepRunnerOf<"task"> = () => Promise.reject(new NoTaskWorkerError());

export function localStepRunner(env: StepEnvironment, task: StepRunnerOf<"task"> = noTasks): StepRunner {
  return runnersByKind({
    get: (step, ctx) => runGet(env, step, ctx),
    put: (step, ctx) => runPut(env, step, ctx),
    set_pipeline: (step, ctx) => runSetPipeline(env, step, ctx),
    load_var: runLoadVar,
    task,
  });
}

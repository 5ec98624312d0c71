/**
 * A scripted StepRunner for the executor's tests: each leaf step behaves as the script says for
 * its name, and the harness records a trace of what ran, in order.
 */
import type { Step } from "../pipeline/index.ts";
import { planStep } from "../pipeline/plan.ts";
import { interpolate } from "../vars/interpolate.ts";
import { Redactor } from "../vars/redactor.ts";
import { staticVarSource } from "../vars/static-vars.ts";
import type { Artifacts, RunContext } from "./context.ts";
import type { BuildStepEvent } from "./events.ts";
import { runBuildPlan } from "./executor.ts";
import { runLoadVar } from "./load-var.ts";
import type { Outcome } from "./outcome.ts";
import { leafName, runnersByKind, type LeafStep } from "./step-runner.ts";

/**
 * succeed / fail; error: throws; hang: until its signal fires; abort: aborts the build, then
 * hangs; a number: succeeds after that many milliseconds. A list gives one behaviour per run
 * of the step, the last one repeating.
 */
export type Behaviour = "succeed" | "fail" | "error" | "hang" | "abort" | number;
export type Script = Record<string, Behaviour | Behaviour[]>;

export interface RunOptions {
  signal?: AbortSignal;
  vars?: Record<string, unknown>;
  files?: Record<string, string>;
}

export interface Harness {
  outcome: Outcome;
  /** `name started` and `name <outcome>` per leaf step, in the order they happened. */
  trace: string[];
  events: BuildStepEvent[];
  /** Each run of a fake step: its name, origin and config with its vars resolved. */
  runs: { name: string; origin: string; config: unknown }[];
  /** The most fake steps that ran at the same time. */
  maxConcurrent: number;
  redactor: Redactor;
}

const untilAborted = (signal: AbortSignal) =>
  new Promise<Outcome>((resolve) => {
    if (signal.aborted) resolve("aborted");
    signal.addEventListener("abort", () => resolve("aborted"), { once: true });
  });

/** Artifacts from `{ "artifact/path": content }`. */
export function fakeArtifacts(files: Record<string, string>): Artifacts {
  const names = new Set(Object.keys(files).map((key) => key.split("/")[0]));
  return {
    has: (artifact) => names.has(artifact),
    readFile: (artifact, path) => {
      const content = files[`${artifact}/${path}`];
      return Promise.resolve(content === undefined ? undefined : new TextEncoder().encode(content));
    },
    directory: () => undefined,
    allocate: () => Promise.reject(new Error("the scripted harness has no artifact directories")),
    register: (artifact) => names.add(artifact),
  };
}

/** Runs `steps` as a job's plan with the scripted runner; unscripted steps succeed. */
export async function runScripted(script: Script, steps: Step[], options: RunOptions = {}): Promise<Harness> {
  const build = new AbortController();
  const signal =
    options.signal === undefined ? build.signal : AbortSignal.any([build.signal, options.signal]);
  const runsSoFar = new Map<string, number>();
  const harness: Omit<Harness, "outcome"> = {
    trace: [],
    events: [],
    runs: [],
    maxConcurrent: 0,
    redactor: new Redactor(),
  };
  let running = 0;

  const behaviourOf = (name: string): Behaviour => {
    const scripted = script[name] ?? "succeed";
    const run = runsSoFar.get(name) ?? 0;
    runsSoFar.set(name, run + 1);
    return Array.isArray(scripted) ? (scripted[Math.min(run, scripted.length - 1)] ?? "succeed") : scripted;
  };

  const fake = async (
    step: LeafStep<"get" | "put" | "task" | "set_pipeline">,
    ctx: RunContext,
  ): Promise<Outcome> => {
    const name = leafName(step);
    // As a real runner would: nothing starts once the step's signal fired.
    if (ctx.signal.aborted) return "aborted";
    harness.runs.push({ name, origin: ctx.origin, config: await interpolate(step.config, ctx.vars) });
    running++;
    harness.maxConcurrent = Math.max(harness.maxConcurrent, running);
    try {
      const behaviour = behaviourOf(name);
      if (typeof behaviour === "number") {
        await new Promise((resolve) => setTimeout(resolve, behaviour));
        return "succeeded";
      }
      switch (behaviour) {
        case "succeed":
          return "succeeded";
        case "fail":
          return "failed";
        case "error":
          throw new Error(`${name} broke`);
        case "abort":
          build.abort();
          return await untilAborted(ctx.signal);
        case "hang":
          return await untilAborted(ctx.signal);
      }
    } finally {
      running--;
    }
  };

  const outcome = await runBuildPlan(planStep({ do: steps }), {
    signal,
    identity: { buildId: 1, buildName: "1", team: "main" },
    vars: staticVarSource(options.vars ?? {}, "pipeline vars"),
    runner: runnersByKind({ get: fake, put: fake, task: fake, set_pipeline: fake, load_var: runLoadVar }),
    artifacts: fakeArtifacts(options.files ?? {}),
    redactor: harness.redactor,
    now: Date.now,
    emit: (event) => {
      harness.events.push(event);
      if (event.type === "step-started") harness.trace.push(`${event.data.name} started`);
      if (event.type === "step-finished") harness.trace.push(`${event.data.name} ${event.data.outcome}`);
    },
  });
  return { outcome, ...harness };
}

/** The log lines of the run, as `origin: line`. */
export const logLines = (harness: Harness): string[] =>
  harness.events.flatMap((e) => (e.type === "log" ? [`${e.data.origin}: ${e.data.line}`] : []));

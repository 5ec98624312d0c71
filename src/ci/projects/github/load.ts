/**
 * Loads GitHub Actions workflows from a checkout: one file, or every `.yml`/`.yaml` of a
 * directory (`.github/workflows`). Each is validated before anything runs — unknown keys, a step
 * with both or neither of `run` and `uses`, an action Sluice cannot run, `needs` naming an
 * unknown job or forming a cycle, an expression that does not parse — as a CiFileError naming
 * file, line and key.
 */
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { CiFileError, Locator, readCiFile, validated, type KeyPath } from "../ci-file.ts";
import { actionOf } from "./actions.ts";
import { checkExpression, condition, ExpressionError, expressionsIn } from "./expression.ts";
import { PushTrigger, Workflow, type Job, type Step } from "./schema.ts";

export interface Triggers {
  /** Undefined when pushes do not run the workflow; null when every push does. */
  push?: PushTrigger;
  dispatch: boolean;
}

export interface WorkflowJob {
  id: string;
  job: Job;
  needs: string[];
  steps: Step[];
}

export interface LoadedWorkflow {
  file: string;
  name: string;
  triggers: Triggers;
  workflow: Workflow;
  jobs: WorkflowJob[];
}

/** A key written as one string or a list of them, as a list (undefined stays undefined). */
export function asList(value: string | string[] | undefined): string[] | undefined {
  return value === undefined ? undefined : typeof value === "string" ? [value] : value;
}

function triggersOf(on: Workflow["on"], locate: Locator): Triggers {
  if (typeof on === "string" || Array.isArray(on)) {
    const events = asList(on) ?? [];
    return { ...(events.includes("push") && { push: null }), dispatch: events.includes("workflow_dispatch") };
  }
  const dispatch = "workflow_dispatch" in on;
  if (!("push" in on)) return { dispatch };
  return { push: validated(PushTrigger, on["push"] ?? null, ["on", "push"], locate), dispatch };
}

/** Every string inside `value`, with its key path. */
function* stringsIn(value: unknown, at: KeyPath): Generator<[string, KeyPath]> {
  if (typeof value === "string") yield [value, at];
  else if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* stringsIn(item, [...at, i]);
  else if (typeof value === "object" && value !== null)
    for (const [key, item] of Object.entries(value)) yield* stringsIn(item, [...at, key]);
}

function checkExpressions(jobId: string, job: Job, locate: Locator): void {
  const check = (text: string, at: KeyPath) => {
    try {
      checkExpression(text);
    } catch (error) {
      if (error instanceof ExpressionError) throw locate.error(at, error.message);
      throw error;
    }
  };
  for (const [text, at] of stringsIn(job, ["jobs", jobId])) {
    for (const expression of expressionsIn(text)) check(expression, at);
  }
  if (job.if !== undefined) check(condition(job.if), ["jobs", jobId, "if"]);
  for (const [i, step] of (job.steps ?? []).entries())
    if (step.if !== undefined) check(condition(step.if), ["jobs", jobId, "steps", i, "if"]);
}

function checkSteps(jobId: string, job: Job, locate: Locator): Step[] {
  if (job.uses !== undefined)
    throw locate.error(
      ["jobs", jobId, "uses"],
      "reusable workflows need GitHub: call the jobs' steps directly",
    );
  const steps = job.steps ?? [];
  if (steps.length === 0) throw locate.error(["jobs", jobId], "a job needs steps");
  for (const [i, step] of steps.entries()) {
    const at = ["jobs", jobId, "steps", i];
    if ((step.run === undefined) === (step.uses === undefined))
      throw locate.error(at, "a step has either run or uses");
    if (step.uses !== undefined && !step.uses.startsWith("./") && !actionOf(step.uses))
      throw locate.error(
        [...at, "uses"],
        `${step.uses}: this action cannot be downloaded here (no internet) and is not built into Sluice; built in: actions/checkout, actions/upload-artifact, actions/download-artifact, actions/cache, docker/login-action, docker/build-push-action, docker/setup-buildx-action, docker/setup-qemu-action, EndBug/add-and-commit, and local actions (./path)`,
      );
  }
  return steps;
}

function checkNeeds(jobs: WorkflowJob[], locate: Locator): void {
  const ids = new Set(jobs.map((j) => j.id));
  for (const job of jobs)
    for (const need of job.needs)
      if (!ids.has(need))
        throw locate.error(["jobs", job.id, "needs"], `needs an unknown job ${JSON.stringify(need)}`);
  const state = new Map<string, "visiting" | "done">();
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const visit = (job: WorkflowJob, chain: string[]): void => {
    if (state.get(job.id) === "done") return;
    if (state.get(job.id) === "visiting")
      throw locate.error(
        ["jobs", chain[0]!, "needs"],
        `needs form a cycle: ${[...chain.slice(chain.indexOf(job.id)), job.id].join(" → ")}`,
      );
    state.set(job.id, "visiting");
    for (const need of job.needs) visit(byId.get(need)!, [...chain, job.id]);
    state.set(job.id, "done");
  };
  for (const job of jobs) visit(job, []);
}

export function loadWorkflow(name: string, text: string): LoadedWorkflow {
  const file = readCiFile(name, text);
  const locate = new Locator([file]);
  const workflow = validated(Workflow, file.value, [], locate);
  const jobs = Object.entries(workflow.jobs).map(([id, job]): WorkflowJob => {
    checkExpressions(id, job, locate);
    return { id, job, needs: asList(job.needs) ?? [], steps: checkSteps(id, job, locate) };
  });
  if (jobs.length === 0) throw locate.error(["jobs"], "the workflow has no job");
  checkNeeds(jobs, locate);
  return {
    file: name,
    name: workflow.name ?? name,
    triggers: triggersOf(workflow.on, locate),
    workflow,
    jobs,
  };
}

/** The workflows at `relative` in the checkout: a file, or the workflow files of a directory. */
export async function loadWorkflows(repoDir: string, relative: string): Promise<LoadedWorkflow[]> {
  const root = await realpath(repoDir);
  const target = path.resolve(root, relative);
  if (target !== root && !target.startsWith(`${root}${path.sep}`))
    throw new CiFileError({ file: relative }, "the workflow path leads outside the repository");
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new CiFileError({ file: relative }, "no such file or directory in the repository");
  const files = info.isDirectory()
    ? (await readdir(target))
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join(target, f))
    : [target];
  if (files.length === 0) throw new CiFileError({ file: relative }, "no workflow files (*.yml, *.yaml) here");
  return Promise.all(
    files.map(async (f) =>
      loadWorkflow(path.relative(root, f).split(path.sep).join("/"), await readFile(f, "utf8")),
    ),
  );
}

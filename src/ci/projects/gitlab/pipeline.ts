/**
 * One GitLab pipeline for an event: `[ci skip]`, workflow rules, the jobs the rules select, and
 * for each the jobs it waits for (its `needs`, else every job of the earlier stages) and those
 * whose artifacts it receives (`dependencies`, else its `needs` with artifacts, else the earlier
 * stages).
 */
import type { GraphJob } from "../run-graph.ts";
import type { GitlabConfig, GitlabVariable } from "./model.ts";
import { selectJob, workflowAllows, type PipelineEvent, type SelectedJob } from "./rules.ts";
import { isNamed } from "./parallel.ts";
import { expandVariables } from "./variables.ts";

export interface PlannedJob extends SelectedJob {
  after: string[];
  artifactsFrom: string[];
}

export type PlannedPipeline =
  | { run: true; jobs: PlannedJob[]; workflowVariables: Record<string, string> }
  | { run: false; reason: string };

export class PipelineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PipelineError";
  }
}

const skipMarker = /\[(ci skip|skip ci)\]/i;

/** Expands each variable with the ones before it (and `base`), as the runner exports them. */
export function expandedValues(
  variables: Readonly<Record<string, GitlabVariable>>,
  base: Readonly<Record<string, string>>,
): Record<string, string> {
  const values: Record<string, string> = { ...base };
  for (const [name, variable] of Object.entries(variables))
    values[name] = variable.expand ? expandVariables(variable.value, values) : variable.value;
  return values;
}

export function inheritedGlobals(
  config: GitlabConfig,
  inherit: boolean | string[],
): Record<string, GitlabVariable> {
  if (inherit === true) return config.variables;
  if (inherit === false) return {};
  return Object.fromEntries(Object.entries(config.variables).filter(([name]) => inherit.includes(name)));
}

export function planPipeline(config: GitlabConfig, event: PipelineEvent): PlannedPipeline {
  const message = event.variables["CI_COMMIT_MESSAGE"] ?? "";
  if (event.source === "push" && skipMarker.test(message))
    return { run: false, reason: "the commit message asks to skip CI" };
  const base = { ...event.variables, ...event.projectVariables };
  const globals = { ...expandedValues(config.variables, base), ...event.projectVariables };
  const workflow = workflowAllows(config.workflowRules, { ...event, variables: globals });
  if (!workflow.run) return { run: false, reason: "workflow: rules do not run this pipeline" };
  const selected: SelectedJob[] = [];
  for (const job of config.jobs) {
    const own = expandedValues(
      { ...inheritedGlobals(config, job.inheritVariables), ...job.variables },
      { ...base, ...workflow.variables },
    );
    const chosen = selectJob(job, event, { ...own, ...event.projectVariables });
    if (chosen) selected.push(chosen);
  }
  const stageOf = new Map(selected.map((s) => [s.job.name, config.stages.indexOf(s.job.stage)]));
  /** The selected jobs `name` means (every copy of a parallel job). */
  const named = (name: string) => selected.filter((o) => isNamed(o.job, name)).map((o) => o.job.name);
  const jobs = selected.map((s): PlannedJob => {
    const dependencies = s.job.dependencies?.flatMap(named);
    const earlier = selected
      .filter((o) => stageOf.get(o.job.name)! < stageOf.get(s.job.name)!)
      .map((o) => o.job.name);
    if (s.needs === undefined) return { ...s, after: earlier, artifactsFrom: dependencies ?? earlier };
    const needed: string[] = [];
    const withArtifacts: string[] = [];
    for (const need of s.needs) {
      const name = typeof need === "string" ? need : need.job;
      const found = named(name);
      if (found.length === 0) {
        if (typeof need !== "string" && need.optional === true) continue;
        throw new PipelineError(
          `${s.job.name}: needs ${name}, which this pipeline does not run (its rules left it out)`,
        );
      }
      needed.push(...found);
      if (typeof need === "string" || need.artifacts !== false) withArtifacts.push(...found);
    }
    return { ...s, after: needed, artifactsFrom: dependencies ?? withArtifacts };
  });
  if (jobs.length === 0) return { run: false, reason: "no job's rules select this pipeline" };
  jobs.sort((a, b) => config.stages.indexOf(a.job.stage) - config.stages.indexOf(b.job.stage));
  return { run: true, jobs, workflowVariables: workflow.variables };
}

/** The planned jobs as the run graph takes them. */
export function graphJobs(jobs: readonly PlannedJob[]): GraphJob[] {
  return jobs.map((job) => ({
    name: job.job.name,
    after: job.after,
    when: job.when,
    blocking: job.when === "manual" && job.allowFailure === false,
    allowedToFail: (exitCode) =>
      Array.isArray(job.allowFailure)
        ? exitCode !== undefined && job.allowFailure.includes(exitCode)
        : job.allowFailure,
  }));
}

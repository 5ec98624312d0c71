/**
 * The checks on each step of a job that need the whole pipeline: resources that exist, `passed`
 * jobs that exist and touch the resource, task and file fields, and local var names (load_var and
 * across) with Concourse's scoping: an across opens a scope for the step it runs, not its hooks.
 */
import { matchingNames } from "./glob.ts";
import { checkIdentifier } from "./identifiers.ts";
import type { IssueCollector } from "./issues.ts";
import type { Job, Pipeline } from "./pipeline.ts";
import { bodyOf, hooksOf, jobSteps, resourceOf, resourcesOf, type StepAt } from "./step-tree.ts";
import type { ResourceTypeCheck } from "./resource-checks.ts";
import type { GetStep, PutStep, TaskStep } from "./steps.ts";

/** What the step checks of every job share. */
export interface StepCheckContext {
  issues: IssueCollector;
  pipeline: Pipeline;
  checkResourceType: ResourceTypeCheck;
}

export function checkJobSteps(context: StepCheckContext, job: Job, jobPath: PropertyKey[]): void {
  const checker = new JobStepChecker(context);
  for (const at of jobSteps(job, jobPath)) checker.checkStep(at);
}

/** The checks of one job's steps: get names and local vars are scoped to the job. */
class JobStepChecker {
  readonly #issues: IssueCollector;
  readonly #context: StepCheckContext;
  readonly #resources: Set<string>;
  readonly #getNames = new Set<string>();
  readonly #localVarScopes: Set<string>[] = [new Set()];

  constructor(context: StepCheckContext) {
    this.#context = context;
    this.#issues = context.issues;
    this.#resources = new Set((context.pipeline.resources ?? []).map((r) => r.name));
  }

  checkStep(at: StepAt): void {
    const { step, path } = at;
    if (step.across) {
      this.#localVarScopes.push(new Set());
      step.across.forEach((v, i) => this.#declareLocalVar([...path, "across", i, "var"], v.var));
    } else if (step.fail_fast !== undefined) {
      this.#issues.error([...path, "fail_fast"], "fail_fast applies to across steps only");
    }
    this.#checkOwnFields(at);
    for (const inner of bodyOf(at)) this.checkStep(inner);
    if (step.across) this.#localVarScopes.pop();
    for (const hook of hooksOf(step, path)) this.checkStep(hook);
  }

  #checkOwnFields({ step, path }: StepAt): void {
    // As in Concourse, the names of task and set_pipeline steps under across may hold ((.:vars)).
    const named = !(step.across && ("task" in step || "set_pipeline" in step));
    if ("get" in step) this.#checkGet(step, path);
    else if ("put" in step) this.#checkResourceStep(step, [...path, "put"]);
    else if ("task" in step) this.#checkTask(step, path, named);
    else if ("set_pipeline" in step)
      this.#checkFileStep(step.set_pipeline, step.file, [...path, "set_pipeline"], named);
    else if ("load_var" in step) {
      this.#checkFileStep(step.load_var, step.file, [...path, "load_var"], true);
      this.#declareLocalVar([...path, "load_var"], step.load_var);
    }
  }

  #checkResourceStep(step: GetStep | PutStep, path: PropertyKey[]): string {
    checkIdentifier(this.#issues, path, "get" in step ? step.get : step.put);
    const resource = resourceOf(step);
    if (!this.#resources.has(resource)) this.#issues.error(path, `unknown resource '${resource}'`);
    return resource;
  }

  #checkGet(step: GetStep, stepPath: PropertyKey[]): void {
    const path = [...stepPath, "get"];
    const resource = this.#checkResourceStep(step, path);
    if (this.#getNames.has(step.get)) {
      this.#issues.error(path, `repeated name '${step.get}': another get step of this job has it`);
    }
    this.#getNames.add(step.get);
    step.passed?.forEach((glob, i) => this.#checkPassed(glob, resource, [...stepPath, "passed", i]));
  }

  #checkPassed(glob: string, resource: string, path: PropertyKey[]): void {
    const jobs = matchingNames(glob, this.#context.pipeline.jobs ?? []);
    if (!jobs) {
      this.#issues.error(path, `invalid glob expression '${glob}'`);
      return;
    }
    if (jobs.length === 0) this.#issues.error(path, `no job matches '${glob}'`);
    for (const job of jobs) {
      const { gets, puts } = resourcesOf(job);
      if (![...gets, ...puts].some((s) => resourceOf(s) === resource)) {
        this.#issues.error(path, `job '${job.name}' does not get or put resource '${resource}'`);
      }
    }
  }

  #checkTask(step: TaskStep, stepPath: PropertyKey[], named: boolean): void {
    const path = [...stepPath, "task"];
    if (named) checkIdentifier(this.#issues, path, step.task);
    if (step.file === undefined && step.config === undefined)
      this.#issues.error(path, "must specify either `file:` or `config:`");
    if (step.file !== undefined && step.config !== undefined) {
      this.#issues.error(path, "must specify one of `file:` or `config:`, not both");
    }
    const config = step.config;
    if (!config) return;
    if (config.image_resource)
      this.#context.checkResourceType(
        [...stepPath, "config", "image_resource", "type"],
        config.image_resource.type,
      );
    if (step.image !== undefined && (config.image_resource || config.rootfs_uri !== undefined)) {
      this.#issues.warn(
        path,
        "specifies image: on the step and an image under config: - the image: on the step takes precedence",
      );
    }
  }

  #checkFileStep(name: string, file: string | undefined, path: PropertyKey[], named: boolean): void {
    if (named) checkIdentifier(this.#issues, path, name);
    if (file === undefined || file === "") this.#issues.error(path, "no file specified");
  }

  #declareLocalVar(path: PropertyKey[], name: string): void {
    const current = this.#localVarScopes.at(-1);
    if (current?.has(name)) this.#issues.error(path, `repeated var name '${name}'`);
    else if (this.#localVarScopes.some((scope) => scope.has(name)))
      this.#issues.warn(path, `shadows local var '${name}'`);
    current?.add(name);
  }
}

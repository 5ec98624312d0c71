/**
 * Runs a GitHub workflow for an event on a worker. Jobs (matrix combinations expanded) run in
 * `needs` order; a job's `if:` (default `success()`: every needed job succeeded) is evaluated when
 * it could start. Its steps run in order in one workspace (empty until actions/checkout), home
 * and runner directory: `run:` steps as tasks in the job's image (`container:`, else `runs-on`
 * mapped to an image), built-in actions and local composite actions on the worker's side.
 * Contexts: github, env, secrets, needs, steps, matrix, job, runner, inputs.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { Outcome } from "../../build/index.ts";
import type { ImageBuilder } from "../../builder/image-builder.ts";
import { DirectoryArtifacts } from "../../engine/builds/directory-artifacts.ts";
import type { Credentials } from "../../../oci/auth.ts";
import { readCiFile } from "../ci-file.ts";
import type { JobAttempt, JobHost } from "../job-host.ts";
import { runGraph, runOutcome, type GraphJob, type JobReport, type JobResult } from "../run-graph.ts";
import {
  serviceTaskConfig,
  startServices,
  type RunningServices,
  type ServiceSpec,
} from "../services/job-services.ts";
import { selectPaths } from "../workspace-files.ts";
import { actionOf } from "./actions.ts";
import {
  condition,
  evaluateExpression,
  interpolate,
  truthy,
  type EvalContext,
  type Value,
} from "./expression.ts";
import { hashFiles } from "./hash-files.ts";
import type { LoadedWorkflow, WorkflowJob } from "./load.ts";
import { expandMatrix, matrixJobName, type Combination } from "./matrix.ts";
import { CompositeAction, type Step } from "./schema.ts";
import { JOB_DIRS, readRunnerFile, stepTaskConfig, writeStepScript } from "./step-task.ts";

export interface WorkflowRunInfo {
  runId: number;
  /** `owner/name`. */
  repository: string;
  sha: string;
  branch: string;
  actor: string;
  eventName: "push" | "workflow_dispatch";
  serverUrl: string;
}

export interface WorkflowRunOptions {
  workflow: LoadedWorkflow;
  info: WorkflowRunInfo;
  secrets: Readonly<Record<string, string>>;
  sourceDir: string;
  workDir: string;
  cacheDir: string;
  /** The image of a job without `container:`, by its `runs-on`. */
  runnerImage: (runsOn: string) => string;
  builder: ImageBuilder;
  gitPush: (dir: string, branch: string) => Promise<void>;
  host: JobHost;
  /** Only these jobs (ids), when given. */
  only?: ReadonlySet<string>;
  concurrency?: number;
  signal: AbortSignal;
  onChange?: (job: string, report: JobReport) => void;
}

interface Expanded {
  name: string;
  job: WorkflowJob;
  matrix: Combination;
}

interface JobEnd {
  result: "success" | "failure" | "cancelled" | "skipped";
  outputs: Record<string, string>;
}

interface StepState {
  outcome: string;
  conclusion: string;
  outputs: Record<string, string>;
}

/** What the steps of one job share. */
interface JobScope {
  expanded: Expanded;
  attempt: JobAttempt;
  dirs: Record<(typeof JOB_DIRS)[number] | "scratch", string>;
  image: string;
  env: Record<string, string>;
  steps: Record<string, StepState>;
  failed: boolean;
  logins: Map<string, Credentials>;
  endHooks: ((succeeded: boolean) => Promise<void>)[];
  needs: Record<string, Value>;
  /** The job's services' names, for its containers' /etc/hosts. */
  hosts: Record<string, string>;
}

const stepName = (step: Step, index: number) =>
  step.name ?? step.id ?? (step.uses ? `uses ${step.uses}` : `run ${index + 1}`);

const minutes = (value: number | string | undefined): number | undefined =>
  value === undefined || Number.isNaN(Number(value)) ? undefined : Number(value) * 60_000;

/** The workflow's jobs with their matrix combinations, as runs name them (`build (linux, 18)`). */
function expandJobs(workflow: LoadedWorkflow): Expanded[] {
  return workflow.jobs.flatMap((job) => {
    const matrix = job.job.strategy?.matrix;
    if (typeof matrix === "string")
      throw new Error(`jobs.${job.id}.strategy.matrix: an expression matrix is not supported`);
    return expandMatrix(matrix).map((combination) => ({
      name: matrixJobName(job.id, combination),
      job,
      matrix: combination,
    }));
  });
}

export const expandedJobNames = (workflow: LoadedWorkflow): string[] =>
  expandJobs(workflow).map((e) => e.name);

export class WorkflowRun {
  readonly #o: WorkflowRunOptions;
  readonly #ends = new Map<string, JobEnd>();
  readonly #expanded: Expanded[];

  constructor(options: WorkflowRunOptions) {
    this.#o = options;
    this.#expanded = expandJobs(options.workflow).filter((e) => !options.only || options.only.has(e.job.id));
  }

  async run(): Promise<{ outcome: Outcome; reports: Map<string, JobReport> }> {
    const namesOf = (id: string) => this.#expanded.filter((e) => e.job.id === id).map((e) => e.name);
    const jobs: GraphJob[] = this.#expanded.map((e) => ({
      name: e.name,
      after: e.job.needs.flatMap(namesOf),
      when: "always",
      allowedToFail: () =>
        truthy(e.job.job["continue-on-error"] === true || e.job.job["continue-on-error"] === "true"),
    }));
    const byName = new Map(this.#expanded.map((e) => [e.name, e]));
    const reports = await runGraph({
      jobs,
      run: (job) => this.#runJob(byName.get(job.name)!),
      signal: this.#o.signal,
      ...(this.#o.concurrency !== undefined && { concurrency: this.#o.concurrency }),
      ...(this.#o.onChange && { onChange: this.#o.onChange }),
    });
    return { outcome: runOutcome(reports), reports };
  }

  #github(): Record<string, Value> {
    const { info } = this.#o;
    return {
      sha: info.sha,
      ref: `refs/heads/${info.branch}`,
      ref_name: info.branch,
      ref_type: "branch",
      repository: info.repository,
      repository_owner: info.repository.split("/")[0] ?? "",
      actor: info.actor,
      event_name: info.eventName,
      run_id: String(info.runId),
      run_number: String(info.runId),
      run_attempt: "1",
      workflow: this.#o.workflow.name,
      server_url: info.serverUrl,
      workspace: "/github/workspace",
      event: {
        ref: `refs/heads/${info.branch}`,
        after: info.sha,
        repository: { full_name: info.repository },
      },
    };
  }

  /** `needs.<id>`: the job's result (a matrix job's combinations together) and outputs. */
  #needsOf(job: WorkflowJob): Record<string, Value> {
    const needs: Record<string, Value> = {};
    for (const id of job.needs) {
      const ends = this.#expanded.filter((e) => e.job.id === id).map((e) => this.#ends.get(e.name));
      const results = ends.map((end) => end?.result ?? "skipped");
      const result = results.includes("failure")
        ? "failure"
        : results.includes("cancelled")
          ? "cancelled"
          : results.every((r) => r === "skipped")
            ? "skipped"
            : "success";
      needs[id] = {
        result,
        outputs: Object.assign({}, ...ends.map((end) => end?.outputs ?? {})) as Record<string, Value>,
      };
    }
    return needs;
  }

  #context(scope: JobScope, extra: Record<string, Value> = {}): EvalContext {
    return {
      contexts: {
        github: this.#github(),
        env: scope.env,
        secrets: { ...this.#o.secrets },
        needs: scope.needs,
        matrix: scope.expanded.matrix,
        steps: scope.steps as unknown as Value,
        job: { status: scope.failed ? "failure" : "success" },
        runner: { os: "Linux", arch: "X64", name: "sluice", temp: "/github/runner/tmp" },
        vars: {},
        ...extra,
      },
      status: { failed: scope.failed, cancelled: this.#o.signal.aborted },
      hashFiles: (patterns) => hashFiles(scope.dirs.workspace, patterns),
    };
  }

  async #runJob(expanded: Expanded): Promise<JobResult> {
    const { job } = expanded;
    const needs = this.#needsOf(job);
    const attempt = await this.#o.host.begin({ name: expanded.name }, 1);
    const root = path.join(
      this.#o.workDir,
      "jobs",
      createHash("sha1").update(expanded.name).digest("hex").slice(0, 12),
    );
    const dirs = Object.fromEntries(
      [...JOB_DIRS, "scratch"].map((d) => [d, path.join(root, d)]),
    ) as JobScope["dirs"];
    const scope: JobScope = {
      expanded,
      attempt,
      dirs,
      image: "",
      env: {},
      steps: {},
      failed: Object.values(needs).some((n) => (n as { result: string }).result !== "success"),
      logins: new Map(),
      endHooks: [],
      needs,
      hosts: {},
    };
    let stopServices = () => Promise.resolve();
    const end = async (result: JobResult, jobEnd: JobEnd): Promise<JobResult> => {
      this.#ends.set(expanded.name, jobEnd);
      await attempt.end(result);
      return result;
    };
    try {
      const verdict = evaluateExpression(condition(job.job.if), this.#context(scope));
      if (!truthy(verdict)) {
        attempt.log(`skipped: if: ${String(job.job.if ?? "success()")} is false`);
        return await end(
          { outcome: "succeeded", skipped: "its if: condition is false" },
          { result: "skipped", outputs: {} },
        );
      }
      await this.#prepare(scope, root);
      const services = await this.#startServices(scope);
      stopServices = () => services.stop();
      scope.hosts = services.hosts;
      const timeout = minutes(job.job["timeout-minutes"]) ?? 360 * 60_000;
      const signal = AbortSignal.any([
        this.#o.signal,
        AbortSignal.timeout(timeout),
        ...(attempt.signal ? [attempt.signal] : []),
      ]);
      await this.#runSteps(job.steps, scope, signal, {});
      const { outcome, outputs } = await this.#conclude(scope, signal);
      return await end(
        { outcome },
        {
          result: outcome === "succeeded" ? "success" : outcome === "aborted" ? "cancelled" : "failure",
          outputs,
        },
      );
    } catch (error) {
      attempt.log((error as Error).message, "stderr");
      return await end({ outcome: "errored" }, { result: "failure", outputs: {} });
    } finally {
      await stopServices();
      await rm(root, { recursive: true, force: true });
    }
  }

  /** After the steps: the post hooks run, the job's outputs evaluated, its outcome. */
  async #conclude(
    scope: JobScope,
    signal: AbortSignal,
  ): Promise<{ outcome: Outcome; outputs: Record<string, string> }> {
    for (const hook of scope.endHooks)
      await hook(!scope.failed).catch((e: unknown) =>
        scope.attempt.log(`post step: ${(e as Error).message}`, "stderr"),
      );
    const outputs = Object.fromEntries(
      Object.entries(scope.expanded.job.job.outputs ?? {}).map(([name, value]) => [
        name,
        interpolate(value, this.#context(scope)),
      ]),
    );
    const interrupted = this.#o.signal.aborted || scope.attempt.signal?.aborted === true;
    const outcome: Outcome = signal.aborted
      ? interrupted
        ? "aborted"
        : "failed"
      : scope.failed
        ? "failed"
        : "succeeded";
    return { outcome, outputs };
  }

  /** The job's `services:` (`name: { image, env }`), each reachable by its name. */
  #startServices(scope: JobScope): Promise<RunningServices> {
    const declared = Object.entries(scope.expanded.job.job.services ?? {});
    const specs: ServiceSpec[] = declared.map(([alias, value]) => {
      const spec = (typeof value === "string" ? { image: value } : value) as {
        image?: string;
        env?: Record<string, unknown>;
      };
      if (typeof spec.image !== "string") throw new Error(`services.${alias}: an image is required`);
      return {
        name: interpolate(spec.image, this.#context(scope)),
        alias,
        variables: this.#interpolated(spec.env ?? {}, scope),
      };
    });
    return startServices(specs, {
      builder: this.#o.builder,
      workDir: path.join(scope.dirs.scratch, "services"),
      log: (line) => scope.attempt.log(line),
      runContainer: (service, signal) =>
        scope.attempt.runTask({
          name: `service ${service.alias}`,
          config: serviceTaskConfig(service, this.#runnerEnv()),
          artifacts: new DirectoryArtifacts(path.join(scope.dirs.scratch, "service", service.alias)),
          secrets: Object.values(this.#o.secrets),
          signal,
        }),
    });
  }

  /** The job's directories made empty, its env and image resolved. */
  async #prepare(scope: JobScope, root: string): Promise<void> {
    const { job } = scope.expanded;
    scope.failed = false;
    await rm(root, { recursive: true, force: true });
    await Promise.all(Object.values(scope.dirs).map((d) => mkdir(d, { recursive: true })));
    scope.env = this.#interpolated({ ...this.#o.workflow.workflow.env, ...job.job.env }, scope);
    scope.image = this.#imageOf(job, scope);
    scope.attempt.log(`job ${scope.expanded.name} on ${scope.image}`);
  }

  #interpolated(
    values: Record<string, unknown>,
    scope: JobScope,
    extra: Record<string, Value> = {},
  ): Record<string, string> {
    return Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, interpolate(String(v), this.#context(scope, extra))]),
    );
  }

  #imageOf(job: WorkflowJob, scope: JobScope): string {
    const container = job.job.container;
    if (container !== undefined)
      return interpolate(typeof container === "string" ? container : container.image, this.#context(scope));
    const runsOn = job.job["runs-on"];
    const label = typeof runsOn === "string" ? runsOn : Array.isArray(runsOn) ? (runsOn[0] ?? "") : "";
    return this.#o.runnerImage(interpolate(label, this.#context(scope)));
  }

  async #runSteps(
    steps: readonly Step[],
    scope: JobScope,
    signal: AbortSignal,
    extra: Record<string, Value>,
  ): Promise<void> {
    for (const [index, step] of steps.entries()) {
      const name = stepName(step, index);
      const ctx = this.#context(scope, extra);
      if (!truthy(evaluateExpression(condition(step.if), ctx))) {
        if (step.id) scope.steps[step.id] = { outcome: "skipped", conclusion: "skipped", outputs: {} };
        continue;
      }
      scope.attempt.log(`▶ ${name}`);
      const outputs: Record<string, string> = {};
      let ok: boolean;
      try {
        ok = await this.#runStep(step, scope, signal, extra, outputs);
      } catch (error) {
        scope.attempt.log(`${name}: ${(error as Error).message}`, "stderr");
        ok = false;
      }
      const continueOnError = truthy(evaluateExpression(String(step["continue-on-error"] ?? false), ctx));
      const outcome = ok ? "success" : "failure";
      if (step.id)
        scope.steps[step.id] = {
          outcome,
          conclusion: ok || continueOnError ? "success" : "failure",
          outputs,
        };
      if (!ok && !continueOnError) scope.failed = true;
      if (signal.aborted) return;
    }
  }

  async #runStep(
    step: Step,
    scope: JobScope,
    signal: AbortSignal,
    extra: Record<string, Value>,
    outputs: Record<string, string>,
  ): Promise<boolean> {
    const ctx = this.#context(scope, extra);
    const env = { ...scope.env, ...this.#interpolated(step.env ?? {}, scope, extra) };
    if (step.run !== undefined) return this.#runScript(step, scope, env, ctx, signal, outputs);
    const uses = step.uses!;
    const inputs = this.#interpolated(step.with ?? {}, scope, extra);
    if (uses.startsWith("./")) return this.#runComposite(uses, inputs, scope, signal, outputs);
    const builtin = actionOf(uses)!;
    await builtin.action({
      version: builtin.version,
      inputs,
      env: {
        ...env,
        GITHUB_SHA: this.#o.info.sha,
        GITHUB_REPOSITORY: this.#o.info.repository,
        GITHUB_ACTOR: this.#o.info.actor,
        GITHUB_WORKFLOW: this.#o.workflow.name,
      },
      workspace: scope.dirs.workspace,
      sourceDir: this.#o.sourceDir,
      artifactsDir: path.join(this.#o.workDir, "artifacts"),
      cacheDir: this.#o.cacheDir,
      scratchDir: scope.dirs.scratch,
      builder: this.#o.builder,
      logins: scope.logins,
      gitPush: this.#o.gitPush,
      branch: this.#o.info.branch,
      setOutput: (name, value) => (outputs[name] = value),
      atJobEnd: (hook) => scope.endHooks.push(hook),
      log: (line) => scope.attempt.log(line),
      signal,
    });
    return true;
  }

  async #runScript(
    step: Step,
    scope: JobScope,
    env: Record<string, string>,
    ctx: EvalContext,
    signal: AbortSignal,
    outputs: Record<string, string>,
  ): Promise<boolean> {
    const { job } = scope.expanded;
    const defaults = { ...this.#o.workflow.workflow.defaults?.run, ...job.job.defaults?.run };
    await writeStepScript(scope.dirs.runner, interpolate(step.run!, ctx));
    const artifacts = new DirectoryArtifacts(scope.dirs.scratch);
    for (const dir of JOB_DIRS) artifacts.register(dir, scope.dirs[dir]);
    const timeout = minutes(step["timeout-minutes"]);
    const result = await scope.attempt.runTask({
      name: step.id ?? "run",
      config: stepTaskConfig({
        image: scope.image,
        env: { ...this.#runnerEnv(), ...env },
        shell: step.shell ?? defaults.shell,
        workingDirectory: interpolate(step["working-directory"] ?? defaults["working-directory"] ?? ".", ctx),
      }),
      artifacts,
      secrets: Object.values(this.#o.secrets),
      signal: timeout === undefined ? signal : AbortSignal.any([signal, AbortSignal.timeout(timeout)]),
      hosts: scope.hosts,
    });
    Object.assign(scope.env, await readRunnerFile(scope.dirs.runner, "env"));
    Object.assign(outputs, await readRunnerFile(scope.dirs.runner, "output"));
    return result.outcome === "succeeded";
  }

  #runnerEnv(): Record<string, string> {
    const { info } = this.#o;
    return {
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_SHA: info.sha,
      GITHUB_REF: `refs/heads/${info.branch}`,
      GITHUB_REF_NAME: info.branch,
      GITHUB_REPOSITORY: info.repository,
      GITHUB_ACTOR: info.actor,
      GITHUB_EVENT_NAME: info.eventName,
      GITHUB_RUN_ID: String(info.runId),
      GITHUB_WORKFLOW: this.#o.workflow.name,
      GITHUB_SERVER_URL: info.serverUrl,
      RUNNER_OS: "Linux",
      RUNNER_ARCH: "X64",
    };
  }

  /** A local composite action: its steps with `inputs`, in the same job. */
  async #runComposite(
    uses: string,
    inputs: Record<string, string>,
    scope: JobScope,
    signal: AbortSignal,
    outputs: Record<string, string>,
  ): Promise<boolean> {
    const dir = path.resolve(scope.dirs.workspace, uses);
    if (!dir.startsWith(`${scope.dirs.workspace}${path.sep}`))
      throw new Error(`${uses}: outside the workspace`);
    const [file] = await selectPaths(dir, ["action.yml", "action.yaml"]);
    if (!file) throw new Error(`${uses}: no action.yml (did a checkout step run first?)`);
    const name = `${uses}/${file}`;
    const parsed = CompositeAction.safeParse(
      readCiFile(name, await readFile(path.join(dir, file), "utf8")).value,
    );
    if (!parsed.success) throw new Error(`${name}: ${parsed.error.issues[0]?.message ?? "invalid action"}`);
    const action = parsed.data;
    if (action.runs.using !== "composite")
      throw new Error(`${name}: only composite actions run here, not ${action.runs.using}`);
    const withDefaults: Record<string, Value> = Object.fromEntries(
      Object.entries(action.inputs ?? {}).map(([key, input]) => [
        key,
        input.default === undefined ? "" : String(input.default),
      ]),
    );
    const extra = { inputs: { ...withDefaults, ...inputs } };
    const inner: JobScope = { ...scope, steps: {} };
    await this.#runSteps(action.runs.steps ?? [], inner, signal, extra);
    scope.failed = inner.failed;
    for (const [key, output] of Object.entries(action.outputs ?? {}))
      outputs[key] = interpolate(output.value, this.#context(inner, extra));
    return !inner.failed;
  }
}

export function runWorkflow(
  options: WorkflowRunOptions,
): Promise<{ outcome: Outcome; reports: Map<string, JobReport> }> {
  return new WorkflowRun(options).run();
}

/**
 * Runs a planned GitLab pipeline on a worker: each job in a fresh copy of the commit with the
 * artifacts of the jobs it depends on extracted into it and its caches restored, as one task;
 * then its artifacts (per `artifacts: when`) and caches saved. `retry` reruns a failed job in a
 * new workspace; `timeout` ends it (default 1 h).
 */
import { cp, readFile, rm } from "node:fs/promises";
import { createHash } from "node:crypto";
import path from "node:path";
import type { Outcome } from "../../build/index.ts";
import { DirectoryArtifacts } from "../../engine/builds/directory-artifacts.ts";
import type { JobAttempt, JobHost } from "../job-host.ts";
import { runGraph, runOutcome, type JobReport, type JobResult } from "../run-graph.ts";
import { serviceTaskConfig, startServices } from "../services/job-services.ts";
import { overlay, saveSelected } from "../workspace-files.ts";
import type { ImageBuilder } from "../../builder/image-builder.ts";
import { jobShellScript, jobTaskConfig, PROJECT_INPUT } from "./job-task.ts";
import type { GitlabConfig, GitlabJob } from "./model.ts";
import { expandedValues, graphJobs, inheritedGlobals, type PlannedJob } from "./pipeline.ts";
import { jobVariables, pipelineVariables, type PipelineInfo } from "./predefined.ts";
import type { PipelineEvent } from "./rules.ts";
import { expandVariables } from "./variables.ts";

export interface GitlabRunOptions {
  config: GitlabConfig;
  jobs: readonly PlannedJob[];
  info: PipelineInfo;
  event: PipelineEvent;
  /** Variables the workflow rules added. */
  workflowVariables: Readonly<Record<string, string>>;
  /** The commit's files (a checkout or working tree), copied for each job. */
  sourceDir: string;
  /** Scratch space for the run: workspaces and artifacts. */
  workDir: string;
  /** Where `cache:` keeps its files between runs. */
  cacheDir: string;
  /** The image of jobs that name none. */
  defaultImage: string;
  /** Serves `docker:dind` services. */
  builder?: ImageBuilder | undefined;
  host: JobHost;
  onChange?: (job: string, report: JobReport) => void;
  /** Manual jobs to run. */
  play?: ReadonlySet<string>;
  concurrency?: number;
  signal: AbortSignal;
}

const HOUR = 3_600_000;
const artifactsDir = (o: GitlabRunOptions, job: string) => path.join(o.workDir, "artifacts", job);

/** What `cache: key` names: its text expanded, or a digest of the files it lists. */
async function cacheKey(entry: GitlabJob["cache"][number], workspace: string, vars: Record<string, string>) {
  const key = entry.key ?? "default";
  if (typeof key !== "object") return expandVariables(String(key), vars).replace(/[/\\]/g, "-") || "default";
  const hash = createHash("sha256");
  for (const file of key.files)
    hash.update(await readFile(path.join(workspace, file)).catch(() => Buffer.alloc(0)));
  return `${key.prefix ? `${expandVariables(key.prefix, vars)}-` : ""}${hash.digest("hex").slice(0, 16)}`;
}

function relativePaths(patterns: readonly string[] | undefined, vars: Record<string, string>): string[] {
  return (patterns ?? []).map((p) => expandVariables(p, { ...vars, CI_PROJECT_DIR: "" }).replace(/^\/+/, ""));
}

function shouldRetry(job: GitlabJob, result: JobResult, timedOut: boolean): boolean {
  const { when, exitCodes } = job.retry;
  if (exitCodes.length > 0 && (result.exitCode === undefined || !exitCodes.includes(result.exitCode)))
    return false;
  if (when.includes("always")) return true;
  if (timedOut) return when.includes("job_execution_timeout");
  if (result.outcome === "failed") return when.includes("script_failure");
  return when.some((w) =>
    ["runner_system_failure", "unknown_failure", "stuck_or_timeout_failure"].includes(w),
  );
}

class GitlabRun {
  readonly #o: GitlabRunOptions;
  readonly #byName: Map<string, PlannedJob>;
  readonly #predefined: Record<string, string>;

  constructor(options: GitlabRunOptions) {
    this.#o = options;
    this.#byName = new Map(options.jobs.map((job) => [job.job.name, job]));
    this.#predefined = pipelineVariables(options.info);
  }

  async run(): Promise<{ outcome: Outcome; reports: Map<string, JobReport> }> {
    const reports = await runGraph({
      jobs: graphJobs(this.#o.jobs),
      run: (job) => this.#runJob(this.#byName.get(job.name)!),
      signal: this.#o.signal,
      ...(this.#o.play && { play: this.#o.play }),
      ...(this.#o.concurrency !== undefined && { concurrency: this.#o.concurrency }),
      ...(this.#o.onChange && { onChange: this.#o.onChange }),
    });
    return { outcome: runOutcome(reports), reports };
  }

  async #runJob(planned: PlannedJob): Promise<JobResult> {
    const { job } = planned;
    let attempt = 0;
    for (;;) {
      attempt++;
      const host = await this.#o.host.begin(job, attempt);
      let outcome: { result: JobResult; timedOut: boolean };
      try {
        outcome = await this.#attempt(planned, attempt, host);
      } catch (error) {
        host.log((error as Error).message, "stderr");
        outcome = { result: { outcome: "errored" }, timedOut: false };
      }
      const { result, timedOut } = outcome;
      const retry =
        result.outcome !== "succeeded" &&
        result.outcome !== "aborted" &&
        attempt <= job.retry.max &&
        shouldRetry(job, result, timedOut);
      if (retry) host.log(`retrying the job (attempt ${attempt + 1} of ${job.retry.max + 1})`, "stderr");
      await host.end(result);
      if (!retry) return result;
    }
  }

  #variablesOf(planned: PlannedJob, jobId: number) {
    const { job } = planned;
    const predefined = { ...this.#predefined, ...jobVariables(job, jobId) };
    const project = this.#o.event.projectVariables;
    const inherited = inheritedGlobals(this.#o.config, job.inheritVariables);
    const fileVariables = Object.fromEntries(
      Object.entries({
        ...inherited,
        ...Object.fromEntries(
          Object.entries(this.#o.workflowVariables).map(([n, v]) => [n, { value: v, expand: true }]),
        ),
        ...job.variables,
        ...Object.fromEntries(
          Object.entries(planned.ruleVariables).map(([n, v]) => [n, { value: v, expand: true }]),
        ),
      }).filter(([name]) => !(name in project)),
    );
    const values = { ...expandedValues(fileVariables, { ...predefined, ...project }), ...project };
    return { predefined, project, fileVariables, values };
  }

  async #attempt(
    planned: PlannedJob,
    attempt: number,
    host: JobAttempt,
  ): Promise<{ result: JobResult; timedOut: boolean }> {
    const { job } = planned;
    const log = (line: string, stream?: "stdout" | "stderr") => host.log(line, stream);
    const jobId = [...this.#byName.keys()].indexOf(job.name) + 1;
    const root = path.join(this.#o.workDir, "jobs", `${job.name.replace(/[^\w.-]/g, "_")}-${attempt}`);
    const workspace = path.join(root, PROJECT_INPUT);
    await rm(root, { recursive: true, force: true });
    await cp(this.#o.sourceDir, workspace, { recursive: true, verbatimSymlinks: true });
    for (const from of planned.artifactsFrom) await overlay(artifactsDir(this.#o, from), workspace);
    const { predefined, project, fileVariables, values } = this.#variablesOf(planned, jobId);
    await this.#restoreCaches(job, workspace, values, log);
    const image = job.image ?? { name: this.#o.defaultImage };
    log(`Using image ${expandVariables(image.name, values)} for ${job.name} (stage ${job.stage})`);
    const artifacts = new DirectoryArtifacts(path.join(root, "artifacts"));
    artifacts.register(PROJECT_INPUT, workspace);
    const timeoutMs = job.timeoutMs ?? HOUR;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signals = [this.#o.signal, timeout, ...(host.signal ? [host.signal] : [])];
    const services = await startServices(job.services, {
      builder: this.#o.builder,
      workDir: path.join(root, "services"),
      log: (line) => log(line),
      runContainer: (service, signal) =>
        host.runTask({
          name: `service ${service.alias}`,
          config: serviceTaskConfig(service, { ...predefined, ...project }),
          artifacts: new DirectoryArtifacts(path.join(root, "services", service.alias)),
          secrets: Object.values(project),
          signal,
        }),
    });
    const result = await host
      .runTask({
        name: job.name,
        config: jobTaskConfig({
          image,
          imageVariables: values,
          env: { ...predefined, ...project },
          script: jobShellScript({ ...job, variables: fileVariables }),
        }),
        artifacts,
        secrets: Object.values(project),
        signal: AbortSignal.any(signals),
        hosts: services.hosts,
      })
      .finally(() => services.stop());
    const timedOut = timeout.aborted && !signals.some((signal) => signal !== timeout && signal.aborted);
    if (timedOut) log(`ERROR: the job timed out after ${Math.round(timeoutMs / 60000)} min`, "stderr");
    const final: JobResult = timedOut ? { outcome: "failed" } : result;
    await this.#saveArtifacts(job, workspace, final.outcome, values, log);
    if (final.outcome === "succeeded") await this.#saveCaches(job, workspace, values, log);
    return { result: final, timedOut };
  }

  async #saveArtifacts(
    job: GitlabJob,
    workspace: string,
    outcome: Outcome,
    vars: Record<string, string>,
    log: (line: string, stream?: "stdout" | "stderr") => void,
  ): Promise<void> {
    const spec = job.artifacts;
    if (!spec?.paths) return;
    const when = spec.when ?? "on_success";
    if (when === "on_success" && outcome !== "succeeded") return;
    if (when === "on_failure" && outcome === "succeeded") return;
    const files = await saveSelected(
      workspace,
      artifactsDir(this.#o, job.name),
      relativePaths(spec.paths, vars),
      relativePaths(spec.exclude, vars),
    );
    if (files === 0) log(`WARNING: artifacts: no file matches ${spec.paths.join(", ")}`, "stderr");
    else log(`Uploading artifacts: ${files} file${files === 1 ? "" : "s"}`);
  }

  async #restoreCaches(
    job: GitlabJob,
    workspace: string,
    vars: Record<string, string>,
    log: (line: string) => void,
  ): Promise<void> {
    for (const entry of job.cache) {
      if (entry.policy === "push") continue;
      const key = await cacheKey(entry, workspace, vars);
      await overlay(path.join(this.#o.cacheDir, key), workspace);
      log(`Restoring cache ${key}`);
    }
  }

  async #saveCaches(
    job: GitlabJob,
    workspace: string,
    vars: Record<string, string>,
    log: (line: string) => void,
  ): Promise<void> {
    for (const entry of job.cache) {
      if (entry.policy === "pull" || !entry.paths) continue;
      const key = await cacheKey(entry, workspace, vars);
      await saveSelected(workspace, path.join(this.#o.cacheDir, key), relativePaths(entry.paths, vars));
      log(`Saving cache ${key}`);
    }
  }
}

export function runGitlabPipeline(
  options: GitlabRunOptions,
): Promise<{ outcome: Outcome; reports: Map<string, JobReport> }> {
  return new GitlabRun(options).run();
}

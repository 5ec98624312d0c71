/**
 * Runs projects (ci/projects/project.ts): when the checker finds a new head of a project's `repo`
 * (a push, a webhook, a periodic check), the commit is fetched, its CI file read and planned
 * against the previous head the project ran (GitLab's before-commit), the pipeline's jobs kept
 * in step with the file, and the selected jobs run, each attempt a build of its job created
 * already started (the scheduler never launches these). A file that cannot run is one errored
 * build of `ci-config` with the reason. One run at a time per project; a push during a run is
 * taken when it ends.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../../../runtime/logger.ts";
import type { Runnable } from "../../../runtime/runnable.ts";
import type { BuildIdentity, StepRunnerOf } from "../../build/index.ts";
import { parsePipeline } from "../../pipeline/index.ts";
import { CiFileError } from "../../projects/ci-file.ts";
import { PipelineError } from "../../projects/gitlab/pipeline.ts";
import { RuleError } from "../../projects/gitlab/rules.ts";
import { ExpressionError } from "../../projects/github/expression.ts";
import type { JobAttempt } from "../../projects/job-host.ts";
import {
  CONFIG_JOB,
  jobNamesOf,
  projectOf,
  projectPipelineYaml,
  REPO_RESOURCE,
  ProjectSetupError,
  webhookTokenOf,
  type ProjectSpec,
} from "../../projects/project.ts";
import { projectPathOf, readWorkingTree } from "../../projects/working-tree.ts";
import type { BuiltinResources } from "../../resources/builtin.ts";
import { runStandaloneTask } from "../../steps/standalone-task.ts";
import type {
  BuildRecord,
  BuildStatus,
  CiStore,
  PipelineRecord,
  ResourceRecord,
  ResourceVersion,
} from "../../store/index.ts";
import { resolveSource } from "../check/resolve-source.ts";
import type { OpenBuild } from "../builds/runner.ts";
import type { PipelineVars } from "../pipeline-vars.ts";
import { activePipelines } from "../pipelines.ts";
import { Wakeup } from "../wakeup.ts";
import { saveProjectPipeline } from "./save-project.ts";
import { runGithubProject } from "./github-project.ts";
import { runGitlabProject } from "./gitlab-project.ts";
import type { ProjectRun } from "./project-run.ts";
import type { ImageBuilder } from "../../builder/image-builder.ts";
import { runGit } from "../../../git/exec.ts";

export interface ProjectRunsOptions {
  store: CiStore;
  /** Opens the builds of the jobs (BuildRunner.openBuild). */
  openBuild: (build: BuildRecord, identity: BuildIdentity) => OpenBuild;
  task: StepRunnerOf<"task">;
  resources: BuiltinResources;
  vars: PipelineVars;
  dataDir: string;
  logger: Logger;
  /** Between passes over every project (default 10 s); new versions wake it at once. */
  tick?: number;
  /** Jobs of one run at once (default 2). */
  concurrency?: number;
  /** Builds the images of GitHub's build-push action. */
  builder: ImageBuilder;
}

interface Head {
  resource: ResourceRecord;
  version: ResourceVersion;
}

const statusOf = (outcome: string): BuildStatus =>
  outcome === "succeeded" || outcome === "failed" || outcome === "aborted" ? outcome : "errored";

export class ProjectRuns implements Runnable {
  readonly name = "ci-projects";
  readonly #o: ProjectRunsOptions;
  readonly #wakeup = new Wakeup();
  /** The version each project last ran, by pipeline id. */
  readonly #lastRun = new Map<number, number>();
  readonly #running = new Map<number, Promise<void>>();
  /** Commits the projects' own jobs pushed: like GITHUB_TOKEN's pushes, they start no run. */
  readonly #ownPushes = new Set<string>();
  /** Projects asked to run now (runNow). */
  readonly #manual = new Set<number>();

  constructor(options: ProjectRunsOptions) {
    this.#o = options;
  }

  /** New versions of these pipelines' resources were saved. */
  poke(): void {
    this.#wakeup.wake();
  }

  start(signal: AbortSignal): Promise<{ done: Promise<void> }> {
    const done = (async () => {
      while (!signal.aborted) {
        try {
          await this.#pass(signal);
        } catch (err) {
          this.#o.logger.error({ err }, "project pass failed");
        }
        await this.#wakeup.sleep(this.#o.tick ?? 10_000, signal);
      }
      await Promise.all(this.#running.values());
    })();
    return Promise.resolve({ done });
  }

  /**
   * Asks for a run of the project's head now, not for a push: GitLab's `web` pipeline (every
   * `changes` true), GitHub's `workflow_dispatch`. Taken when no run of the project is going on.
   */
  runNow(pipelineId: number): void {
    this.#manual.add(pipelineId);
    this.#wakeup.wake();
  }

  async #pass(signal: AbortSignal): Promise<void> {
    for (const pipeline of await activePipelines(this.#o.store)) {
      if (this.#running.has(pipeline.id)) continue;
      const spec = projectOf(pipeline.configYaml);
      if (!spec) continue;
      const manual = this.#manual.delete(pipeline.id);
      const head = manual ? await this.#head(pipeline) : await this.#newHead(pipeline);
      if (!head) continue;
      const before = manual ? undefined : this.#lastRun.get(pipeline.id);
      this.#lastRun.set(pipeline.id, head.version.id);
      const run = this.#run(pipeline, spec, head, before, manual ? "manual" : "push", signal)
        .catch((err: unknown) => this.#o.logger.error({ err, pipeline: pipeline.name }, "project run failed"))
        .finally(() => {
          this.#running.delete(pipeline.id);
          this.#wakeup.wake();
        });
      this.#running.set(pipeline.id, run);
    }
  }

  /** The repository's head, once checked. */
  async #head(pipeline: PipelineRecord): Promise<Head | undefined> {
    const { store } = this.#o;
    const resource = await store.getResource(pipeline.id, REPO_RESOURCE);
    const version = resource && (await store.latestVersion(resource.id));
    return resource && version ? { resource, version } : undefined;
  }

  /** The repository's head when the project has not run it yet. */
  async #newHead(pipeline: PipelineRecord): Promise<Head | undefined> {
    const head = await this.#head(pipeline);
    if (!head) return undefined;
    const { resource, version } = head;
    if (!this.#lastRun.has(pipeline.id)) {
      const ran = await this.#lastVersionBuilt(pipeline.id);
      if (ran !== undefined) this.#lastRun.set(pipeline.id, ran);
    }
    return this.#lastRun.get(pipeline.id) === version.id ? undefined : { resource, version };
  }

  /** After a restart: the `repo` version of the project's newest build. */
  async #lastVersionBuilt(pipelineId: number): Promise<number | undefined> {
    const { store } = this.#o;
    let newest: { buildId: number; versionId: number } | undefined;
    for (const job of await store.listJobs(pipelineId)) {
      const [build] = await store.listJobBuilds(job.id, { limit: 1 });
      if (!build || (newest && build.id < newest.buildId)) continue;
      const input = (await store.buildVersions(build.id))?.inputs.find((i) => i.name === REPO_RESOURCE);
      if (input) newest = { buildId: build.id, versionId: input.versionId };
    }
    return newest?.versionId;
  }

  async #run(
    pipeline: PipelineRecord,
    spec: ProjectSpec,
    head: Head,
    beforeId: number | undefined,
    trigger: ProjectRun["trigger"],
    signal: AbortSignal,
  ): Promise<void> {
    const { store } = this.#o;
    const work = path.join(this.#o.dataDir, "projects", String(pipeline.id), String(head.version.id));
    const checkout = path.join(work, "checkout");
    await rm(work, { recursive: true, force: true });
    await mkdir(checkout, { recursive: true });
    try {
      const parsed = parsePipeline(pipeline.configYaml);
      const declared = parsed.ok
        ? parsed.pipeline.resources?.find((r) => r.name === REPO_RESOURCE)
        : undefined;
      const source = await resolveSource(declared?.source, this.#o.vars(pipeline));
      await this.#o.resources.get("git")!.get(source.source, head.version.version, {}, checkout, { signal });
      const before = beforeId === undefined ? undefined : await store.getVersion(beforeId);
      const tree = await readWorkingTree(checkout, before?.version["ref"] ?? "0".repeat(40));
      if (trigger === "push" && this.#ownPushes.delete(tree.sha)) {
        this.#o.logger.info(
          { pipeline: pipeline.name, sha: tree.sha },
          "a push of the project's own job runs nothing",
        );
        return;
      }
      const run: ProjectRun = {
        spec,
        trigger,
        work,
        checkout,
        tree: { ...tree, repositoryUrl: spec.repo, projectPath: projectPathOf(spec.repo, checkout) },
        runId: head.version.id,
        signal,
        variables: await this.#projectVariables(pipeline, spec),
        cacheDir: path.join(this.#o.dataDir, "projects", String(pipeline.id), "cache"),
        ...(this.#o.concurrency !== undefined && { concurrency: this.#o.concurrency }),
        jobs: async (names) => {
          const current = await this.#keepJobsInStep(pipeline, spec, names);
          return { begin: (job) => this.#begin(current, job.name, head) };
        },
        gitPush: (dir, branch) => this.#gitPush(source.source, dir, branch, signal),
        log: (message) => this.#o.logger.info({ pipeline: pipeline.name }, message),
      };
      await (spec.format === "gitlab"
        ? runGitlabProject(run, this.#o.builder)
        : runGithubProject(run, this.#o.builder));
    } catch (error) {
      if (signal.aborted) return;
      const cannotRun = [CiFileError, PipelineError, RuleError, ProjectSetupError, ExpressionError].some(
        (kind) => error instanceof kind,
      );
      // anything else (the commit cannot be fetched, a credential is missing) is the user's to see too
      if (!cannotRun) this.#o.logger.error({ err: error, pipeline: pipeline.name }, "project run failed");
      const message = error instanceof Error ? error.message : String(error);
      await this.#reportConfigError(pipeline, head, cannotRun ? message : `this push cannot run: ${message}`);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** Pushes a job's commit to the project's branch with the repository's credentials; its push runs nothing. */
  async #gitPush(
    source: Record<string, unknown>,
    dir: string,
    branch: string,
    signal: AbortSignal,
  ): Promise<void> {
    const {
      username,
      password,
      private_key: key,
    } = source as { username?: string; password?: string; private_key?: string };
    if (key !== undefined)
      throw new Error(
        "pushing over SSH from a job is not supported yet: give the project a username and password",
      );
    const sha = (await runGit(["rev-parse", "HEAD"], { cwd: dir })).stdout.trim();
    this.#ownPushes.add(sha);
    await runGit(["push", "--end-of-options", String(source["uri"]), `HEAD:refs/heads/${branch}`], {
      cwd: dir,
      signal,
      ...(username !== undefined && password !== undefined && { credentials: { username, password } }),
    });
  }

  /** The keys of the variables Secret (`<project>.<name>`, else `<name>`, in the team's namespace). */
  async #projectVariables(pipeline: PipelineRecord, spec: ProjectSpec): Promise<Record<string, string>> {
    const name = spec.variables_secret;
    if (name === undefined) return {};
    const vars = this.#o.vars(pipeline);
    const ref = { source: "", path: name, fields: [] };
    const value = await vars.lookup(ref);
    if (value === undefined)
      throw new ProjectSetupError(
        `the variables Secret ${name} does not exist: looked in ${vars.lookedIn(ref).join(", ")}`,
      );
    return typeof value === "string" ? { value } : (value as Record<string, string>);
  }

  /** Sets the project's pipeline again when the file's jobs changed; the pipeline as it now is. */
  async #keepJobsInStep(
    pipeline: PipelineRecord,
    spec: ProjectSpec,
    names: string[],
  ): Promise<PipelineRecord> {
    const known = jobNamesOf(pipeline.configYaml);
    if (names.every((name) => known.includes(name))) return pipeline;
    const saved = await saveProjectPipeline(this.#o.store, {
      team: pipeline.team,
      name: pipeline.name,
      instanceVars: pipeline.instanceVars,
      configYaml: projectPipelineYaml(
        spec,
        [...new Set([...known, ...names])].filter((n) => n !== CONFIG_JOB),
        webhookTokenOf(pipeline.configYaml) ?? randomBytes(16).toString("hex"),
      ),
      expectedVersion: pipeline.configVersion,
    });
    if (!saved.ok)
      throw new Error(`project ${pipeline.name} changed while its jobs were updated; the next push retries`);
    return saved.pipeline;
  }

  async #startBuild(
    pipeline: PipelineRecord,
    jobName: string,
    head: Head,
  ): Promise<{ open: OpenBuild; identity: BuildIdentity }> {
    const { store } = this.#o;
    const job = await store.getJob(pipeline.id, jobName);
    if (!job) throw new Error(`project ${pipeline.name} has no job ${jobName}`);
    const build = await store.createJobBuild({ jobId: job.id, started: true });
    await store.recordBuildInputs(build.id, [
      { name: REPO_RESOURCE, resourceId: head.resource.id, versionId: head.version.id },
    ]);
    const identity: BuildIdentity = {
      buildId: build.id,
      buildName: build.name,
      team: pipeline.team,
      pipeline: { id: pipeline.id, name: pipeline.name, instanceVars: pipeline.instanceVars },
      job: { id: job.id, name: job.name },
    };
    return { open: this.#o.openBuild(build, identity), identity };
  }

  async #begin(pipeline: PipelineRecord, jobName: string, head: Head): Promise<JobAttempt> {
    const { open, identity } = await this.#startBuild(pipeline, jobName, head);
    return {
      signal: open.signal,
      log: (line, stream = "stdout") => open.emit({ type: "log", data: { origin: jobName, stream, line } }),
      runTask: (task) =>
        runStandaloneTask(this.#o.task, { ...task, identity, emit: (event) => open.emit(event) }),
      end: async (result) => {
        await open.close(statusOf(result.outcome));
      },
    };
  }

  async #reportConfigError(pipeline: PipelineRecord, head: Head, message: string): Promise<void> {
    const current = (await this.#o.store.getPipeline(pipeline)) ?? pipeline;
    const { open } = await this.#startBuild(current, CONFIG_JOB, head);
    open.emit({ type: "log", data: { origin: CONFIG_JOB, stream: "stderr", line: message } });
    await open.close("errored");
  }
}

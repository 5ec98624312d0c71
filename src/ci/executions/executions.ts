/**
 * fly's execute on the server: a one-off build whose task runs on this server's worker, with
 * inputs uploaded from the person's directories (`uploads`), others fetched as the latest build of
 * a job got them (`-j P/J`), outputs kept an hour for download. The build's log streams as any
 * build's; the task's ((vars)) the client left unresolved come from the team's credential manager.
 */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { runBuildPlan, type BuildIdentity, type StepRunnerOf } from "../build/index.ts";
import type { OpenBuild } from "../engine/builds/runner.ts";
import { DirectoryArtifacts } from "../engine/builds/directory-artifacts.ts";
import type { PipelineVars } from "../engine/pipeline-vars.ts";
import { parsePipeline, planJob, type GetStep, type Job, type Pipeline } from "../pipeline/index.ts";
import { resourcesOf } from "../pipeline/step-tree.ts";
import type { TaskConfig } from "../pipeline/task-config.ts";
import type { BuiltinResources } from "../resources/builtin.ts";
import type { CustomResourceTypes } from "../resources/custom/container-resource.ts";
import { runStandaloneTask } from "../steps/standalone-task.ts";
import { validatedTaskConfig } from "../steps/task-config.ts";
import { localStepRunner } from "../steps/index.ts";
import type { BuildRecord, BuildStatus, CiStore, PipelineRecord } from "../store/index.ts";
import { Redactor, redactingSource } from "../vars/redactor.ts";
import type { VarSource } from "../vars/source.ts";
import { unpackInto } from "./tar-stream.ts";

/** How long an upload waits for its execution, and outputs for their download. */
const KEEP_MS = 60 * 60 * 1000;
const UPLOAD_ID = /^[0-9a-f-]{36}$/;

export interface ExecutionRequest {
  /** The task config, its ((vars)) from the person's flags already filled in. */
  config: unknown;
  /** Input name → upload id. */
  inputs?: Record<string, string> | undefined;
  /** The other inputs as the job's latest build got them. */
  inputsFrom?: { pipeline: string; job: string } | undefined;
  /** The input holding the task's image (a root filesystem), instead of image_resource. */
  image?: string | undefined;
  privileged?: boolean | undefined;
}

/** A request that cannot run: the API answers 400 with the message. */
export class ExecutionRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExecutionRequestError";
  }
}

export interface ExecutionsOptions {
  store: CiStore;
  dataDir: string;
  openBuild: (build: BuildRecord, identity: BuildIdentity) => OpenBuild;
  task?: StepRunnerOf<"task"> | undefined;
  resources: BuiltinResources;
  customTypes?: CustomResourceTypes | undefined;
  /** A pipeline's vars, for the gets of `inputsFrom`. */
  vars: PipelineVars;
  /** A team's vars outside any pipeline, for the task. */
  teamVars: (team: string) => VarSource;
  now?: () => number;
}

interface JobSource {
  pipeline: PipelineRecord;
  config: Pipeline;
  job: Job;
  gets: GetStep[];
  build: BuildRecord;
}

interface Plan {
  team: string;
  config: TaskConfig;
  uploads: Map<string, string>;
  fromJob: JobSource | undefined;
  request: ExecutionRequest;
}

export class Executions {
  readonly #o: ExecutionsOptions;
  readonly #uploads: string;
  readonly #outputs: string;

  constructor(options: ExecutionsOptions) {
    this.#o = options;
    this.#uploads = path.join(options.dataDir, "uploads");
    this.#outputs = path.join(options.dataDir, "execution-outputs");
  }

  /** Receives a gzipped tar of a directory; answers the id an execution names it by. */
  async upload(team: string, body: Readable): Promise<string> {
    await this.#sweep();
    const id = randomUUID();
    const dir = this.#uploadDir(team, id);
    await mkdir(dir, { recursive: true });
    try {
      await unpackInto(dir, body);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw new ExecutionRequestError(
        `the upload is not a readable gzipped tar: ${(error as Error).message}`,
      );
    }
    return id;
  }

  /** Checks the request, creates the build (started) and runs it in the background. */
  async start(team: string, request: ExecutionRequest): Promise<BuildRecord> {
    await this.#sweep();
    const plan = await this.#plan(team, request);
    const { store } = this.#o;
    const created = await store.createOneOffBuild({ team });
    const now = (this.#o.now ?? Date.now)();
    await store.startBuild(created.id, now);
    const build: BuildRecord = { ...created, status: "started", startedAt: now };
    const open = this.#o.openBuild(build, { buildId: build.id, buildName: build.name, team });
    void this.#run(build, open, plan);
    return build;
  }

  /** The directory of a finished execution's output, undefined when it has none of that name. */
  async output(buildId: number, name: string): Promise<string | undefined> {
    const dir = path.join(this.#outputs, String(buildId), path.basename(name));
    return (await stat(dir).catch(() => undefined))?.isDirectory() ? dir : undefined;
  }

  async #plan(team: string, request: ExecutionRequest): Promise<Plan> {
    let config: TaskConfig;
    try {
      config = validatedTaskConfig(request.config, "the task config");
    } catch (error) {
      throw new ExecutionRequestError((error as Error).message);
    }
    const inputs = config.inputs ?? [];
    const uploads = new Map<string, string>();
    for (const [name, id] of Object.entries(request.inputs ?? {})) {
      if (!inputs.some((input) => input.name === name))
        throw new ExecutionRequestError(
          `unknown input ${name}: the task's inputs are ${inputs.map((i) => i.name).join(", ") || "none"}`,
        );
      const dir = UPLOAD_ID.test(id) ? this.#uploadDir(team, id) : undefined;
      if (!dir || !(await stat(dir).catch(() => undefined)))
        throw new ExecutionRequestError(`input ${name}: no upload ${id} (uploads are kept an hour)`);
      uploads.set(name, dir);
    }
    const fromJob = request.inputsFrom && (await this.#jobSource(team, request.inputsFrom));
    const got = new Set([...uploads.keys(), ...(fromJob?.gets.map((g) => g.get) ?? [])]);
    for (const input of inputs) {
      if (input.optional || got.has(input.name)) continue;
      const where = request.inputsFrom
        ? `: not uploaded, and job ${request.inputsFrom.pipeline}/${request.inputsFrom.job} gets no ${input.name}`
        : ": not uploaded (-i NAME=DIR)";
      throw new ExecutionRequestError(`missing input ${input.name}${where}`);
    }
    if (request.image !== undefined && !got.has(request.image))
      throw new ExecutionRequestError(`--image ${request.image}: not an input of this execution`);
    return { team, config, uploads, fromJob, request };
  }

  async #jobSource(team: string, from: { pipeline: string; job: string }): Promise<JobSource> {
    const { store } = this.#o;
    const name = `${from.pipeline}/${from.job}`;
    const pipeline = await store.getPipeline({ team, name: from.pipeline });
    const record = pipeline && (await store.getJob(pipeline.id, from.job));
    if (!pipeline || !record) throw new ExecutionRequestError(`-j ${name}: no such job in team ${team}`);
    const parsed = parsePipeline(pipeline.configYaml);
    const job = parsed.ok ? parsed.pipeline.jobs?.find((j) => j.name === from.job) : undefined;
    if (!parsed.ok || !job)
      throw new ExecutionRequestError(`-j ${name}: the pipeline's config is no longer valid`);
    const [build] = await store.listJobBuilds(record.id, { limit: 1 });
    if (!build) throw new ExecutionRequestError(`-j ${name}: the job has no build to take inputs from yet`);
    return { pipeline, config: parsed.pipeline, job, gets: resourcesOf(job).gets, build };
  }

  async #run(build: BuildRecord, open: OpenBuild, plan: Plan): Promise<void> {
    let status: BuildStatus = "errored";
    try {
      await mkdir(open.directory, { recursive: true });
      const artifacts = new DirectoryArtifacts(open.directory);
      for (const [name, dir] of plan.uploads) {
        const target = await artifacts.allocate(name);
        await rm(target, { recursive: true });
        await rename(dir, target);
        artifacts.register(name, target);
      }
      status = await this.#fetchFromJob(build, open, plan, artifacts);
      if (status === "succeeded") status = await this.#runTask(build, open, plan, artifacts);
      await this.#keepOutputs(build.id, plan.config, artifacts);
    } catch (error) {
      open.emit({ type: "error", data: { message: (error as Error).message } });
      status = "errored";
    } finally {
      await rm(open.directory, { recursive: true, force: true });
    }
    await open.close(status).catch(() => undefined);
  }

  /** The inputs not uploaded, fetched as the job's latest build got them. */
  async #fetchFromJob(build: BuildRecord, open: OpenBuild, plan: Plan, artifacts: DirectoryArtifacts) {
    const source = plan.fromJob;
    const wanted = source?.gets.filter(
      (get) => !plan.uploads.has(get.get) && plan.config.inputs?.some((input) => input.name === get.get),
    );
    if (!source || !wanted?.length) return "succeeded";
    const { store } = this.#o;
    const redactor = new Redactor();
    const env = {
      store,
      resources: this.#o.resources,
      customTypes: this.#o.customTypes,
      build,
      pipeline: source.pipeline,
      config: source.config,
      inputs: (await store.buildVersions(source.build.id))?.inputs ?? [],
      putVersions: new Map(),
      artifactNames: () => artifacts.names(),
      scratchDirectory: (purpose: string) => artifacts.allocate(purpose),
    };
    return runBuildPlan(planJob({ name: source.job.name, plan: wanted }), {
      signal: open.signal,
      vars: redactingSource(this.#o.vars(source.pipeline), redactor),
      identity: { buildId: build.id, buildName: build.name, team: source.pipeline.team },
      runner: localStepRunner(env, this.#o.task),
      artifacts,
      redactor,
      emit: (event) => open.emit(event),
      now: this.#o.now ?? Date.now,
    });
  }

  async #runTask(build: BuildRecord, open: OpenBuild, plan: Plan, artifacts: DirectoryArtifacts) {
    const task = this.#o.task;
    if (!task) throw new Error("no worker can run tasks here");
    const { team } = plan;
    const { outcome } = await runStandaloneTask(task, {
      name: "one-off",
      config: plan.config,
      privileged: plan.request.privileged ?? false,
      ...(plan.request.image !== undefined && { image: plan.request.image }),
      artifacts,
      vars: this.#o.teamVars(team),
      signal: open.signal,
      identity: { buildId: build.id, buildName: build.name, team },
      emit: (event) => open.emit(event),
    });
    return outcome;
  }

  async #keepOutputs(buildId: number, config: TaskConfig, artifacts: DirectoryArtifacts): Promise<void> {
    for (const output of config.outputs ?? []) {
      const produced = artifacts.directory(output.name);
      if (produced === undefined) continue;
      const kept = path.join(this.#outputs, String(buildId), output.name);
      await mkdir(path.dirname(kept), { recursive: true });
      await rename(produced, kept);
    }
  }

  #uploadDir(team: string, id: string): string {
    return path.join(this.#uploads, team, id);
  }

  /** Removes uploads and outputs older than an hour. */
  async #sweep(): Promise<void> {
    const cutoff = (this.#o.now ?? Date.now)() - KEEP_MS;
    const teams = await readdir(this.#uploads).catch(() => [] as string[]);
    const dirs = [
      ...(await Promise.all(teams.map((team) => entries(path.join(this.#uploads, team))))).flat(),
      ...(await entries(this.#outputs)),
    ];
    for (const dir of dirs) {
      const info = await stat(dir).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) await rm(dir, { recursive: true, force: true });
    }
  }
}

async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).map((name) => path.join(dir, name));
}

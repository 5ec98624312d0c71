/** What every route needs (store, engine, auth) and the look-ups that turn path parameters into records. */
import type { RequestContext } from "../../http/router.ts";
import type { EngineControl } from "../engine/control.ts";
import type { PipelineVars } from "../engine/pipeline-vars.ts";
import type { BuildRecord, CiStore, JobRecord, PipelineRecord, ResourceRecord } from "../store/index.ts";
import type { WorkerVolume } from "../sandbox/volumes/worker-volumes.ts";
import type { Auth } from "./auth.ts";
import type { ContainerAccess } from "./container-routes.ts";
import { notFound } from "./errors.ts";
import type { BuildNames } from "./presenters.ts";
import type { Identity } from "./tokens.ts";
import type { Executions } from "../executions/executions.ts";

export interface ApiDeps {
  store: CiStore;
  engine: EngineControl;
  auth: Auth;
  /** What the worker holds on disk; absent where no worker runs here. */
  volumes?: { list(): Promise<WorkerVolume[]> } | undefined;
  /** The pipelines' credential manager, for `set-pipeline --check-creds`. */
  vars?: PipelineVars | undefined;
  /** The worker's running containers, for listing and intercept. */
  containers?: ContainerAccess | undefined;
  /** Writes Secrets into the credential manager's namespaces (project credentials). */
  secrets?: TeamSecrets | undefined;
  /** Runs projects on request (`trigger-project`). */
  projects?: { runNow(pipelineId: number): void } | undefined;
  /** Runs one-off tasks with uploaded inputs (`execute -t`); absent where no worker runs here. */
  executions?: Executions | undefined;
}

/** Writes Secrets into a team's credential-manager namespace. */
export interface TeamSecrets {
  apply(team: string, name: string, data: Record<string, string>): Promise<void>;
}

const param = (ctx: RequestContext, name: string) => ctx.params[name] ?? "";

/** The team `:team` names, after checking the caller may act on it. */
export async function authorizedTeam(deps: ApiDeps, ctx: RequestContext): Promise<string> {
  const team = param(ctx, "team");
  await deps.auth.authorize(ctx.req, team);
  return team;
}

/** The pipelines of every team the caller may see (every team for an admin), team by team. */
export async function visiblePipelines(deps: ApiDeps, ctx: RequestContext): Promise<PipelineRecord[]> {
  const identity = await deps.auth.identify(ctx.req);
  const teams = (await deps.store.listTeams())
    .map((t) => t.name)
    .filter((name) => identity.admin || identity.teams.includes(name));
  return (await Promise.all(teams.map((team) => deps.store.listPipelines(team)))).flat();
}

/** The pipeline `:team/:pipeline` names, after checking the caller may act on the team. */
export async function pipelineOf(deps: ApiDeps, ctx: RequestContext): Promise<PipelineRecord> {
  const team = await authorizedTeam(deps, ctx);
  const name = param(ctx, "pipeline");
  const pipeline = await deps.store.getPipeline({ team, name });
  if (!pipeline) throw notFound(`pipeline ${team}/${name}`);
  return pipeline;
}

export async function jobOf(
  deps: ApiDeps,
  ctx: RequestContext,
): Promise<{ pipeline: PipelineRecord; job: JobRecord }> {
  const pipeline = await pipelineOf(deps, ctx);
  const name = param(ctx, "job");
  const job = await deps.store.getJob(pipeline.id, name);
  if (!job) throw notFound(`job ${pipeline.name}/${name}`);
  return { pipeline, job };
}

export async function resourceOf(
  deps: ApiDeps,
  ctx: RequestContext,
): Promise<{ pipeline: PipelineRecord; resource: ResourceRecord }> {
  const pipeline = await pipelineOf(deps, ctx);
  const name = param(ctx, "resource");
  const resource = await deps.store.getResource(pipeline.id, name);
  if (!resource) throw notFound(`resource ${pipeline.name}/${name}`);
  return { pipeline, resource };
}

/** The build `:id` names, after checking the caller may see its team; with the names to show. */
export async function buildOf(
  deps: ApiDeps,
  ctx: RequestContext,
): Promise<{ build: BuildRecord; names: BuildNames; identity: Identity }> {
  const id = Number(param(ctx, "id"));
  const build = Number.isSafeInteger(id) ? await deps.store.getBuild(id) : undefined;
  if (!build) throw notFound(`build ${param(ctx, "id")}`);
  const names = await buildNames(deps.store, build);
  const identity = await deps.auth.authorize(ctx.req, names.team);
  return { build, names, identity };
}

/** The team, pipeline and job names of a build (the store keeps ids). */
export async function buildNames(store: CiStore, build: BuildRecord): Promise<BuildNames> {
  const team = (await store.listTeams()).find((t) => t.id === build.teamId)?.name ?? "";
  if (build.pipelineId === undefined) return { team };
  const pipeline = (await store.listPipelines(team)).find((p) => p.id === build.pipelineId);
  if (!pipeline || build.jobId === undefined) return { team, pipeline };
  const job = (await store.listJobs(pipeline.id)).find((j) => j.id === build.jobId);
  return { team, pipeline, job: job?.name };
}

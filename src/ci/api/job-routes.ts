/** Jobs: list, get (with the scheduler's waiting reason), pause, builds with paging, trigger, rerun. */
import type { RequestContext, Router } from "../../http/router.ts";
import type { PipelineRecord } from "../store/index.ts";
import { jobOf, pipelineOf, visiblePipelines, type ApiDeps } from "./context.ts";
import { ApiError, notFound } from "./errors.ts";
import { presentBuild, presentJob } from "./presenters.ts";
import { sendBuildsPage } from "./build-list-routes.ts";
import { handled, sendEmpty, sendJson } from "./respond.ts";

const JOBS = "/api/v1/teams/:team/pipelines/:pipeline/jobs";
const JOB = `${JOBS}/:job`;

/** A job as the API shows it: with its running and last finished builds and why it waits. */
/** Jobs as the API shows them: with their running and last finished builds and why they wait. */
export async function presentJobs(deps: ApiDeps, pipelines: readonly PipelineRecord[]) {
  const [latest, jobs] = await Promise.all([
    deps.store.latestJobBuilds(pipelines.map((p) => p.id)),
    Promise.all(pipelines.map((p) => deps.store.listJobs(p.id))),
  ]);
  return pipelines.flatMap((pipeline, i) =>
    jobs[i]!.map((job) =>
      presentJob(job, pipeline, latest.get(job.id) ?? {}, deps.engine.jobWaiting(job.id)),
    ),
  );
}

/** Every job of every pipeline the caller may see (Concourse's dashboard list). */
export function allJobsRoute(router: Router, deps: ApiDeps): void {
  router.on(
    "GET",
    "/api/v1/jobs",
    handled(async (ctx) =>
      sendJson(ctx.res, 200, await presentJobs(deps, await visiblePipelines(deps, ctx))),
    ),
  );
}

export function jobRoutes(router: Router, deps: ApiDeps): void {
  const { store, engine } = deps;
  router.on(
    "GET",
    JOBS,
    handled(async (ctx) => sendJson(ctx.res, 200, await presentJobs(deps, [await pipelineOf(deps, ctx)]))),
  );
  router.on(
    "GET",
    JOB,
    handled(async (ctx) => {
      const { pipeline, job } = await jobOf(deps, ctx);
      sendJson(
        ctx.res,
        200,
        (await presentJobs(deps, [pipeline])).find((j) => j.id === job.id),
      );
    }),
  );
  const pausing = (paused: boolean) =>
    handled(async (ctx) => {
      const { pipeline, job } = await jobOf(deps, ctx);
      await store.setJobPaused(job.id, paused);
      if (!paused) engine.schedule(pipeline.id);
      sendEmpty(ctx.res);
    });
  router.on("PUT", `${JOB}/pause`, pausing(true));
  router.on("PUT", `${JOB}/unpause`, pausing(false));
  router.on(
    "GET",
    `${JOB}/builds`,
    handled(async (ctx) => {
      const { job } = await jobOf(deps, ctx);
      await sendBuildsPage(deps, ctx, { jobId: job.id });
    }),
  );
  router.on(
    "POST",
    `${JOB}/builds`,
    handled(async (ctx) => {
      const { pipeline, job } = await jobOf(deps, ctx);
      if (job.disableManualTrigger)
        throw new ApiError(403, `job ${pipeline.name}/${job.name} has disable_manual_trigger set`);
      const build = await store.createJobBuild({ jobId: job.id, manuallyTriggered: true });
      engine.schedule(pipeline.id);
      sendJson(ctx.res, 200, presentBuild(build, { team: pipeline.team, pipeline, job: job.name }));
    }),
  );
  router.on(
    "GET",
    `${JOB}/builds/:build`,
    handled(async (ctx) => {
      const { pipeline, job, build } = await jobBuildOf(deps, ctx);
      sendJson(ctx.res, 200, presentBuild(build, { team: pipeline.team, pipeline, job: job.name }));
    }),
  );
  router.on(
    "POST",
    `${JOB}/builds/:build`,
    handled(async (ctx) => {
      const { pipeline, job, build } = await jobBuildOf(deps, ctx);
      const rerun = await store.createRerunBuild(build.id);
      engine.schedule(pipeline.id);
      sendJson(ctx.res, 200, presentBuild(rerun, { team: pipeline.team, pipeline, job: job.name }));
    }),
  );
}

async function jobBuildOf(deps: ApiDeps, ctx: RequestContext) {
  const { pipeline, job } = await jobOf(deps, ctx);
  const name = ctx.params["build"] ?? "";
  const build = await deps.store.getJobBuild(job.id, name);
  if (!build) throw notFound(`build ${job.name} #${name}`);
  return { pipeline, job, build };
}

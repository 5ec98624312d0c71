/** Jobs: list, get (with the scheduler's waiting reason), pause, builds with paging, trigger, rerun. */
import type { RequestContext, Router } from "../../http/router.ts";
import { isFinished, type BuildRecord, type JobRecord, type PipelineRecord } from "../store/index.ts";
import { jobOf, pipelineOf, type ApiDeps } from "./context.ts";
import { ApiError, notFound } from "./errors.ts";
import { presentBuild, presentJob } from "./presenters.ts";
import { handled, positiveInt, queryOf, sendEmpty, sendJson } from "./respond.ts";

const JOBS = "/api/v1/teams/:team/pipelines/:pipeline/jobs";
const JOB = `${JOBS}/:job`;
const DEFAULT_PAGE = 100;

export function jobRoutes(router: Router, deps: ApiDeps): void {
  const { store, engine } = deps;
  const present = async (pipeline: PipelineRecord, job: JobRecord) => {
    const recent = await store.listJobBuilds(job.id, { limit: 20 });
    const latest = {
      next: recent.find((b) => !isFinished(b.status)),
      finished: recent.find((b) => isFinished(b.status)),
    };
    return presentJob(job, pipeline, latest, engine.jobWaiting(job.id));
  };
  router.on(
    "GET",
    JOBS,
    handled(async (ctx) => {
      const pipeline = await pipelineOf(deps, ctx);
      const jobs = await store.listJobs(pipeline.id);
      sendJson(ctx.res, 200, await Promise.all(jobs.map((job) => present(pipeline, job))));
    }),
  );
  router.on(
    "GET",
    JOB,
    handled(async (ctx) => {
      const { pipeline, job } = await jobOf(deps, ctx);
      sendJson(ctx.res, 200, await present(pipeline, job));
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
    handled((ctx) => jobBuildsPage(deps, ctx)),
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

/**
 * A page of the job's builds, newest first: `?limit=N&until=ID` gives builds older than ID, and a
 * full page links the next one as Concourse does (`Link: <…?until=…&limit=…>; rel="next"`).
 */
async function jobBuildsPage(deps: ApiDeps, ctx: RequestContext): Promise<void> {
  const { pipeline, job } = await jobOf(deps, ctx);
  const query = queryOf(ctx.req);
  const limit = query.has("limit") ? positiveInt(query.get("limit"), "limit") : DEFAULT_PAGE;
  const until = query.has("until") ? positiveInt(query.get("until"), "until") : undefined;
  const builds: BuildRecord[] = await deps.store.listJobBuilds(job.id, {
    limit,
    ...(until === undefined ? {} : { beforeId: until }),
  });
  const headers: Record<string, string> = {};
  const last = builds.at(-1);
  if (builds.length === limit && last) {
    const path = (ctx.req.url ?? "").split("?")[0];
    headers["Link"] = `<${path}?until=${last.id}&limit=${limit}>; rel="next"`;
  }
  const names = { team: pipeline.team, pipeline, job: job.name };
  sendJson(
    ctx.res,
    200,
    builds.map((b) => presentBuild(b, names)),
    headers,
  );
}

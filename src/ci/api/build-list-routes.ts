/**
 * Build listings, newest first and paged as Concourse's: every build the caller may see, a
 * team's, a pipeline's and a job's. `?limit=N`, `?until=ID` (older than ID) or `?since=ID`
 * (newer than ID); `Link` headers name the next (older) and previous (newer) pages.
 */
import type { RequestContext, Router } from "../../http/router.ts";
import type { BuildFilter, ListBuildsOptions } from "../store/index.ts";
import { authorizedTeam, pipelineOf, type ApiDeps } from "./context.ts";
import { ApiError } from "./errors.ts";
import { presentBuild } from "./presenters.ts";
import { handled, positiveInt, queryOf, sendJson } from "./respond.ts";

const DEFAULT_PAGE = 100;

export function buildListRoutes(router: Router, deps: ApiDeps): void {
  router.on(
    "GET",
    "/api/v1/builds",
    handled(async (ctx) => {
      const identity = await deps.auth.identify(ctx.req);
      await sendBuildsPage(deps, ctx, identity.admin ? {} : { teams: identity.teams });
    }),
  );
  router.on(
    "GET",
    "/api/v1/teams/:team/builds",
    handled(async (ctx) => sendBuildsPage(deps, ctx, { teams: [await authorizedTeam(deps, ctx)] })),
  );
  router.on(
    "GET",
    "/api/v1/teams/:team/pipelines/:pipeline/builds",
    handled(async (ctx) => sendBuildsPage(deps, ctx, { pipelineId: (await pipelineOf(deps, ctx)).id })),
  );
}

export async function sendBuildsPage(deps: ApiDeps, ctx: RequestContext, filter: BuildFilter): Promise<void> {
  const options = pageOptions(queryOf(ctx.req));
  const page = await deps.store.listBuilds(filter, options);
  const path = (ctx.req.url ?? "").split("?")[0];
  const link = (bound: "until" | "since", id: number, rel: string) =>
    `<${path}?${bound}=${id}&limit=${options.limit}>; rel="${rel}"`;
  const links = [
    ...(page.hasOlder && page.builds.length > 0 ? [link("until", page.builds.at(-1)!.id, "next")] : []),
    ...(page.hasNewer && page.builds.length > 0 ? [link("since", page.builds[0]!.id, "previous")] : []),
  ];
  const body = page.builds.map((b) =>
    presentBuild(b, {
      team: b.team,
      ...(b.pipelineId !== undefined && b.pipelineName !== undefined
        ? { pipeline: { id: b.pipelineId, name: b.pipelineName } }
        : {}),
      job: b.jobName,
    }),
  );
  sendJson(ctx.res, 200, body, links.length > 0 ? { Link: links.join(", ") } : {});
}

function pageOptions(query: URLSearchParams): ListBuildsOptions {
  if (query.has("until") && query.has("since"))
    throw new ApiError(400, "until and since cannot be used together: page older or newer, not both");
  return {
    limit: query.has("limit") ? positiveInt(query.get("limit"), "limit") : DEFAULT_PAGE,
    ...(query.has("until") && { beforeId: positiveInt(query.get("until"), "until") }),
    ...(query.has("since") && { afterId: positiveInt(query.get("since"), "since") }),
  };
}

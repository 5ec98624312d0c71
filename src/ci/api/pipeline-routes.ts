/** Pipelines: list, get, config get/set (atomic, versioned), pause, unpause, archive, destroy. */
import type { RequestContext, Router } from "../../http/router.ts";
import { formatIssue, parsePipeline, readYaml } from "../pipeline/index.ts";
import { authorizedTeam, pipelineOf, visiblePipelines, type ApiDeps } from "./context.ts";
import { ApiError } from "./errors.ts";
import { presentPipeline } from "./presenters.ts";
import { handled, queryOf, readText, sendEmpty, sendJson } from "./respond.ts";
import { checkCredentials } from "./check-creds.ts";

/** Concourse's header carrying the config version a set is based on, and the one a get answers. */
export const CONFIG_VERSION_HEADER = "X-Concourse-Config-Version";

const PIPELINES = "/api/v1/teams/:team/pipelines";
const PIPELINE = `${PIPELINES}/:pipeline`;

export function pipelineRoutes(router: Router, deps: ApiDeps): void {
  const { store, engine } = deps;
  router.on(
    "GET",
    "/api/v1/pipelines",
    handled(async (ctx) => sendJson(ctx.res, 200, (await visiblePipelines(deps, ctx)).map(presentPipeline))),
  );
  router.on(
    "GET",
    PIPELINES,
    handled(async (ctx) => {
      const team = await authorizedTeam(deps, ctx);
      sendJson(ctx.res, 200, (await store.listPipelines(team)).map(presentPipeline));
    }),
  );
  router.on(
    "GET",
    PIPELINE,
    handled(async (ctx) => sendJson(ctx.res, 200, presentPipeline(await pipelineOf(deps, ctx)))),
  );
  router.on(
    "GET",
    `${PIPELINE}/config`,
    handled(async (ctx) => {
      const pipeline = await pipelineOf(deps, ctx);
      const yaml = readYaml(pipeline.configYaml);
      sendJson(
        ctx.res,
        200,
        { config: yaml.ok ? yaml.value : null, config_yaml: pipeline.configYaml },
        { [CONFIG_VERSION_HEADER]: String(pipeline.configVersion) },
      );
    }),
  );
  router.on(
    "PUT",
    `${PIPELINE}/config`,
    handled((ctx) => setConfig(deps, ctx)),
  );
  const pausing = (paused: boolean) =>
    handled(async (ctx) => {
      const pipeline = await pipelineOf(deps, ctx);
      await store.setPipelinePaused(pipeline.id, paused);
      if (!paused) engine.schedule(pipeline.id);
      sendEmpty(ctx.res);
    });
  router.on("PUT", `${PIPELINE}/pause`, pausing(true));
  router.on("PUT", `${PIPELINE}/unpause`, pausing(false));
  router.on(
    "PUT",
    `${PIPELINE}/archive`,
    handled(async (ctx) => {
      await store.archivePipeline((await pipelineOf(deps, ctx)).id);
      sendEmpty(ctx.res);
    }),
  );
  router.on(
    "DELETE",
    PIPELINE,
    handled(async (ctx) => {
      await store.destroyPipeline((await pipelineOf(deps, ctx)).id);
      sendEmpty(ctx.res, 204);
    }),
  );
}

/** PUT config: validated, then saved atomically against the version the caller based it on. */
async function setConfig(deps: ApiDeps, ctx: RequestContext): Promise<void> {
  const { store, engine, vars } = deps;
  const team = await authorizedTeam(deps, ctx);
  const name = ctx.params["pipeline"] ?? "";
  const expectedVersion = expectedConfigVersion(ctx.req.headers[CONFIG_VERSION_HEADER.toLowerCase()]);
  const configYaml = await readText(ctx.req);
  const parsed = parsePipeline(configYaml);
  const warnings = parsed.warnings.map(formatIssue);
  if (!parsed.ok)
    throw new ApiError(400, "invalid pipeline config", {
      errors: parsed.errors.map(formatIssue),
      warnings,
    });
  if (queryOf(ctx.req).has("check_creds")) await checkCredentials(vars?.({ team, name }), configYaml);
  await store.ensureTeam(team);
  const saved = await store.setPipeline({
    team,
    name,
    configYaml,
    config: parsed.pipeline,
    expectedVersion,
    pausedWhenCreated: true,
  });
  if (!saved.ok)
    throw new ApiError(
      409,
      `pipeline ${team}/${name} changed concurrently: based on version ${expectedVersion}, now ${saved.currentVersion}`,
    );
  engine.schedule(saved.pipeline.id);
  sendJson(
    ctx.res,
    saved.created ? 201 : 200,
    { warnings },
    {
      [CONFIG_VERSION_HEADER]: String(saved.pipeline.configVersion),
    },
  );
}

/** The header's version; absent means "I expect no pipeline yet" (0). */
function expectedConfigVersion(header: string | string[] | undefined): number {
  if (header === undefined) return 0;
  const n = Number(header);
  if (typeof header !== "string" || !Number.isSafeInteger(n) || n < 0)
    throw new ApiError(400, `${CONFIG_VERSION_HEADER} must be a non-negative integer`);
  return n;
}

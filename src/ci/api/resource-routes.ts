/** Resources: list, get (with the check error), versions (enable/disable, pin/unpin), check, webhook check. */
import { timingSafeEqual } from "node:crypto";
import type { RequestContext, Router } from "../../http/router.ts";
import { parsePipeline } from "../pipeline/index.ts";
import { Version } from "../pipeline/fields.ts";
import type { CheckOutcome, PipelineRecord, ResourceRecord } from "../store/index.ts";
import { pipelineOf, resourceOf, type ApiDeps } from "./context.ts";
import { ApiError, badRequest, notFound } from "./errors.ts";
import { presentResource, presentVersion } from "./presenters.ts";
import { handled, positiveInt, queryOf, readJsonObject, sendEmpty, sendJson } from "./respond.ts";

const RESOURCES = "/api/v1/teams/:team/pipelines/:pipeline/resources";
const RESOURCE = `${RESOURCES}/:resource`;
const VERSION = `${RESOURCE}/versions/:version`;

export function resourceRoutes(router: Router, deps: ApiDeps): void {
  const { store, engine } = deps;
  router.on(
    "GET",
    RESOURCES,
    handled(async (ctx) => {
      const pipeline = await pipelineOf(deps, ctx);
      const resources = await store.listResources(pipeline.id);
      sendJson(
        ctx.res,
        200,
        resources.map((r) => presentResource(r, pipeline)),
      );
    }),
  );
  router.on(
    "GET",
    RESOURCE,
    handled(async (ctx) => {
      const { pipeline, resource } = await resourceOf(deps, ctx);
      sendJson(ctx.res, 200, presentResource(resource, pipeline));
    }),
  );
  router.on(
    "GET",
    `${RESOURCE}/versions`,
    handled(async (ctx) => {
      const { resource } = await resourceOf(deps, ctx);
      const query = queryOf(ctx.req);
      const limit = query.has("limit") ? positiveInt(query.get("limit"), "limit") : 100;
      sendJson(ctx.res, 200, (await store.listVersions(resource.id, { limit })).map(presentVersion));
    }),
  );
  const enabling = (enabled: boolean) =>
    handled(async (ctx) => {
      const { resource, versionId } = await versionOf(deps, ctx);
      await store.setVersionEnabled(resource.id, versionId, enabled);
      sendEmpty(ctx.res);
    });
  router.on("PUT", `${VERSION}/enable`, enabling(true));
  router.on("PUT", `${VERSION}/disable`, enabling(false));
  pinRoutes(router, deps);
  router.on(
    "POST",
    `${RESOURCE}/check`,
    handled(async (ctx) => {
      const { pipeline, resource } = await resourceOf(deps, ctx);
      const body = await readJsonObject(ctx.req);
      const from = body["from"];
      const request = from === undefined || from === null ? {} : { from: checkFrom(from) };
      const check = engine.checkResource(pipeline.id, resource.name, request);
      // fly's `check-resource -a`: answered at once, the check's outcome goes to the resource
      if (body["async"] === true) {
        void check.catch(() => undefined);
        sendJson(ctx.res, 201, { status: "started", start_time: Math.floor(Date.now() / 1000) });
        return;
      }
      sendCheck(ctx, await check);
    }),
  );
  router.on(
    "POST",
    `${RESOURCE}/check/webhook`,
    handled((ctx) => webhookCheck(deps, ctx)),
  );
}

/** Pin a version (with a comment), change the comment, unpin. */
function pinRoutes(router: Router, deps: ApiDeps): void {
  const { store, engine } = deps;
  router.on(
    "PUT",
    `${VERSION}/pin`,
    handled(async (ctx) => {
      const { pipeline, resource, versionId } = await versionOf(deps, ctx);
      const comment = optionalString((await readJsonObject(ctx.req))["pin_comment"], "pin_comment");
      await store.pinVersion(resource.id, versionId, comment);
      engine.schedule(pipeline.id);
      sendEmpty(ctx.res);
    }),
  );
  router.on(
    "PUT",
    `${RESOURCE}/pin_comment`,
    handled(async (ctx) => {
      const { resource } = await resourceOf(deps, ctx);
      const comment = optionalString((await readJsonObject(ctx.req))["pin_comment"], "pin_comment");
      if (resource.pinnedVersionId === undefined)
        throw new ApiError(409, `resource ${resource.name} is not pinned`);
      await store.pinVersion(resource.id, resource.pinnedVersionId, comment);
      sendEmpty(ctx.res);
    }),
  );
  router.on(
    "PUT",
    `${RESOURCE}/unpin`,
    handled(async (ctx) => {
      const { pipeline, resource } = await resourceOf(deps, ctx);
      await store.unpinVersion(resource.id);
      engine.schedule(pipeline.id);
      sendEmpty(ctx.res);
    }),
  );
}

async function versionOf(deps: ApiDeps, ctx: RequestContext) {
  const found = await resourceOf(deps, ctx);
  const versionId = positiveInt(ctx.params["version"], "version id");
  const known = await deps.store.listVersions(found.resource.id, { limit: Number.MAX_SAFE_INTEGER });
  if (!known.some((v) => v.id === versionId))
    throw notFound(`version ${versionId} of ${found.resource.name}`);
  return { ...found, versionId };
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw badRequest(`${name} must be a string`);
  return value;
}

function checkFrom(value: unknown): Version {
  const parsed = Version.safeParse(value);
  if (!parsed.success) throw badRequest("from must be a version: a map of strings to strings");
  return parsed.data;
}

function sendCheck(ctx: RequestContext, outcome: CheckOutcome): void {
  sendJson(ctx.res, 200, {
    status: outcome.error === undefined ? "succeeded" : "errored",
    start_time: Math.floor(outcome.startedAt / 1000),
    end_time: Math.floor(outcome.endedAt / 1000),
    ...(outcome.error === undefined ? {} : { check_error: outcome.error }),
  });
}

/**
 * `POST …/check/webhook?webhook_token=T`: no bearer token, the resource's `webhook_token` instead,
 * compared in constant time. A token written as a ((var)) is not resolved here: it never matches.
 */
async function webhookCheck(deps: ApiDeps, ctx: RequestContext): Promise<void> {
  const team = ctx.params["team"] ?? "";
  const name = ctx.params["pipeline"] ?? "";
  const pipeline = await deps.store.getPipeline({ team, name });
  const resource = pipeline
    ? await deps.store.getResource(pipeline.id, ctx.params["resource"] ?? "")
    : undefined;
  const expected = pipeline && resource ? webhookToken(pipeline, resource) : undefined;
  const given = queryOf(ctx.req).get("webhook_token") ?? "";
  if (!pipeline || !resource || expected === undefined || !sameSecret(given, expected))
    throw new ApiError(401, "not authorized: unknown resource or wrong webhook_token");
  sendCheck(ctx, await deps.engine.checkResource(pipeline.id, resource.name));
}

function webhookToken(pipeline: PipelineRecord, resource: ResourceRecord): string | undefined {
  const parsed = parsePipeline(pipeline.configYaml);
  if (!parsed.ok) return undefined;
  const token = parsed.pipeline.resources?.find((r) => r.name === resource.name)?.webhook_token;
  return token && !token.includes("((") ? token : undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

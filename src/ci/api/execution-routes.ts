/**
 * fly's execute against the server: upload a directory (`POST …/teams/:team/artifacts`, a
 * gzipped tar), start the one-off build (`POST …/teams/:team/executions`), follow it as any build,
 * then download an output (`GET /api/v1/builds/:id/outputs/:name`, a gzipped tar).
 */
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import type { RequestContext, Router } from "../../http/router.ts";
import { ExecutionRequestError, type ExecutionRequest, type Executions } from "../executions/executions.ts";
import { packDirectory } from "../executions/tar-stream.ts";
import { isFinished } from "../store/index.ts";
import { authorizedTeam, buildOf, type ApiDeps } from "./context.ts";
import { ApiError, badRequest, notFound } from "./errors.ts";
import { presentBuild } from "./presenters.ts";
import { handled, readJsonObject, sendJson } from "./respond.ts";

export function executionRoutes(router: Router, deps: ApiDeps): void {
  router.on(
    "POST",
    "/api/v1/teams/:team/artifacts",
    handled(async (ctx) => {
      const team = await authorizedTeam(deps, ctx);
      const id = await asRequestError(() => executions(deps).upload(team, ctx.req));
      sendJson(ctx.res, 201, { id });
    }),
  );
  router.on(
    "POST",
    "/api/v1/teams/:team/executions",
    handled(async (ctx) => {
      const team = await authorizedTeam(deps, ctx);
      const request = executionRequest(await readJsonObject(ctx.req));
      const build = await asRequestError(() => executions(deps).start(team, request));
      sendJson(ctx.res, 201, presentBuild(build, { team }));
    }),
  );
  router.on(
    "GET",
    "/api/v1/builds/:id/outputs/:name",
    handled((ctx) => sendOutput(deps, ctx)),
  );
}

async function sendOutput(deps: ApiDeps, ctx: RequestContext): Promise<void> {
  const { build } = await buildOf(deps, ctx);
  const name = ctx.params["name"] ?? "";
  if (!isFinished(build.status)) throw new ApiError(409, `build ${build.id} is still running`);
  const dir = await executions(deps).output(build.id, name);
  if (!dir) throw notFound(`output ${name} of build ${build.id} (outputs are kept an hour)`);
  const { stream, done } = packDirectory(dir);
  ctx.res.writeHead(200, { "Content-Type": "application/gzip" });
  await Promise.all([pipeline(stream, ctx.res), done]);
}

const ExecutionBody = z.strictObject({
  config: z.unknown(),
  inputs: z.record(z.string(), z.string()).optional(),
  inputs_from: z.strictObject({ pipeline: z.string(), job: z.string() }).optional(),
  image: z.string().optional(),
  privileged: z.boolean().optional(),
});

function executionRequest(body: Record<string, unknown>): ExecutionRequest {
  const parsed = ExecutionBody.safeParse(body);
  if (!parsed.success)
    throw badRequest(
      `invalid execution: ${parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")}`,
    );
  const { inputs_from: inputsFrom, ...rest } = parsed.data;
  return { ...rest, inputsFrom };
}

function executions(deps: ApiDeps): Executions {
  if (!deps.executions) throw new ApiError(501, "this server runs no tasks: start it with its CI engine");
  return deps.executions;
}

async function asRequestError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ExecutionRequestError) throw badRequest(error.message);
    throw error;
  }
}

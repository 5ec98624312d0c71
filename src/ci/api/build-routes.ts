/** Builds by id: get, abort, events (server-sent). */
import type { Router } from "../../http/router.ts";
import { isFinished } from "../store/index.ts";
import { streamBuildEvents } from "./build-events.ts";
import { buildOf, type ApiDeps } from "./context.ts";
import { presentBuild } from "./presenters.ts";
import { handled, sendEmpty, sendJson } from "./respond.ts";

const BUILD = "/api/v1/builds/:id";

export function buildRoutes(router: Router, deps: ApiDeps): void {
  router.on(
    "GET",
    BUILD,
    handled(async (ctx) => {
      const { build, names } = await buildOf(deps, ctx);
      sendJson(ctx.res, 200, presentBuild(build, names));
    }),
  );
  router.on(
    "PUT",
    `${BUILD}/abort`,
    handled(async (ctx) => {
      const { build } = await buildOf(deps, ctx);
      // a pending build no engine runs yet is aborted in the store; a running one by its engine
      if (!isFinished(build.status) && !deps.engine.abortBuild(build.id) && build.status === "pending")
        await deps.store.finishBuild(build.id, "aborted", Date.now());
      sendEmpty(ctx.res);
    }),
  );
  router.on(
    "GET",
    `${BUILD}/events`,
    handled((ctx) => streamBuildEvents(deps, ctx)),
  );
}

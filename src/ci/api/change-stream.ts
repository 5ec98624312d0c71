/**
 * `GET /api/v1/changes`: a server-sent `changed` event whenever a pipeline, a job's pause or a
 * build changes (here or, with PostgreSQL, on another replica), at most one per 250 ms. It says
 * nothing of what changed: pages fetch again what they show, instead of polling.
 */
import { aborted, openEventStream } from "../../http/event-stream.ts";
import type { Router } from "../../http/router.ts";
import type { ApiDeps } from "./context.ts";
import { handled } from "./respond.ts";

const COALESCE_MS = 250;

export function changeStreamRoute(router: Router, deps: ApiDeps): void {
  router.on(
    "GET",
    "/api/v1/changes",
    handled(async (ctx) => {
      await deps.auth.identify(ctx.req);
      const stream = openEventStream(ctx);
      let pending: NodeJS.Timeout | undefined;
      const stop = deps.store.onChange(() => {
        pending ??= setTimeout(() => {
          pending = undefined;
          stream.send("changed", {});
        }, COALESCE_MS);
      });
      await aborted(stream.signal);
      stop();
      clearTimeout(pending);
      stream.end();
    }),
  );
}

/**
 * `GET /api/v1/changes`: a server-sent `changed` event whenever a pipeline, a job's pause or a
 * build changes (here or, with PostgreSQL, on another replica), at most one per 250 ms. It says
 * nothing of what changed: pages fetch again what they show, instead of polling.
 */
import type { Router } from "../../http/router.ts";
import type { ApiDeps } from "./context.ts";
import { handled } from "./respond.ts";

const COALESCE_MS = 250;
const HEARTBEAT_MS = 25_000;

export function changeStreamRoute(router: Router, deps: ApiDeps): void {
  router.on(
    "GET",
    "/api/v1/changes",
    handled(async (ctx) => {
      await deps.auth.identify(ctx.req);
      const { res } = ctx;
      res.writeHead(200, {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no",
      });
      res.write(": following\n\n");
      let pending: NodeJS.Timeout | undefined;
      const stop = deps.store.onChange(() => {
        pending ??= setTimeout(() => {
          pending = undefined;
          res.write("event: changed\ndata: {}\n\n");
        }, COALESCE_MS);
      });
      const heartbeat = setInterval(() => res.write(": still here\n\n"), HEARTBEAT_MS);
      await new Promise<void>((resolve) => {
        res.once("close", resolve);
        ctx.closing.addEventListener("abort", () => resolve(), { once: true });
      });
      stop();
      clearInterval(heartbeat);
      clearTimeout(pending);
      res.end();
    }),
  );
}

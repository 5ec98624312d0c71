/**
 * `GET /api/v1/changes`: a server-sent `changed` event whenever a pipeline, a job's pause or a
 * build changes (here or, with PostgreSQL, on another replica), at most one per 250 ms. It names
 * the pipelines that changed (`{ pipelines: [{ team, name }] }`), those the caller may see; no
 * names means anything may have changed (a pipeline set or destroyed). Pages fetch again only
 * what they show of those pipelines, instead of polling.
 */
import { aborted, openEventStream } from "../../http/event-stream.ts";
import type { Router } from "../../http/router.ts";
import type { Identity } from "./tokens.ts";
import type { ApiDeps } from "./context.ts";
import { handled } from "./respond.ts";

const COALESCE_MS = 250;

export function changeStreamRoute(router: Router, deps: ApiDeps): void {
  router.on(
    "GET",
    "/api/v1/changes",
    handled(async (ctx) => {
      const identity = await deps.auth.identify(ctx.req);
      const stream = openEventStream(ctx);
      let pending: NodeJS.Timeout | undefined;
      /** The pipelines changed since the last event; undefined once anything did. */
      let changed: Set<number> | undefined = new Set();
      const flush = async () => {
        pending = undefined;
        const ids = changed;
        changed = new Set();
        if (!ids) return stream.send("changed", {});
        const pipelines = await visiblePipelines(deps, identity, [...ids]);
        if (pipelines.length > 0) stream.send("changed", { pipelines });
      };
      const stop = deps.store.onChange(({ pipelineId }) => {
        if (pipelineId === undefined) changed = undefined;
        else changed?.add(pipelineId);
        pending ??= setTimeout(() => void flush().catch(() => stream.send("changed", {})), COALESCE_MS);
      });
      await aborted(stream.signal);
      stop();
      clearTimeout(pending);
      stream.end();
    }),
  );
}

async function visiblePipelines(deps: ApiDeps, identity: Identity, ids: number[]) {
  const found = await Promise.all(ids.map((id) => deps.store.getPipelineById(id)));
  return found.flatMap((p) =>
    p && (identity.admin || identity.teams.includes(p.team)) ? [{ team: p.team, name: p.name }] : [],
  );
}

/**
 * `GET /api/v1/builds/:id/events` as server-sent events: the stored events after `Last-Event-ID`
 * first, then the ones the engine appends, then `event: end` once the build is finished. Each
 * event is Concourse's envelope: `id: N`, `event: event`, `data: {"event":TYPE,"version":"1.0","data":…}`.
 */
import type { ServerResponse } from "node:http";
import type { RequestContext } from "../../http/router.ts";
import { isFinished, type BuildEvent, type BuildStatus } from "../store/index.ts";
import { buildOf, type ApiDeps } from "./context.ts";
import { positiveInt } from "./respond.ts";

/** The version of our event payloads (Concourse versions each event type; ours change together). */
export const EVENT_VERSION = "1.0";
const CATCH_UP_PAGE = 1000;

export async function streamBuildEvents(deps: ApiDeps, ctx: RequestContext): Promise<void> {
  const { build } = await buildOf(deps, ctx);
  const lastId = ctx.req.headers["last-event-id"];
  let after = lastId === undefined ? 0 : positiveIntOrZero(String(lastId));
  const { res } = ctx;
  res.writeHead(200, {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",
  });
  const done = new AbortController();
  const stop = () => done.abort();
  ctx.closing.addEventListener("abort", stop, { once: true });
  res.once("close", stop);
  let status: BuildStatus = build.status;
  // follow first, so that nothing appended between the catch-up and the subscription is lost
  const queued: BuildEvent[] = [];
  let wake = (): void => undefined;
  const unfollow = deps.engine.followBuild(build.id, (events) => {
    queued.push(...events);
    wake();
  });
  try {
    for (;;) {
      const stored = await deps.store.readBuildEvents(build.id, { afterId: after, limit: CATCH_UP_PAGE });
      after = writeEvents(res, stored, after);
      if (stored.length === CATCH_UP_PAGE) continue;
      break;
    }
    status = (await deps.store.getBuild(build.id))?.status ?? status;
    while (!done.signal.aborted && !isFinished(status)) {
      if (queued.length === 0)
        await new Promise<void>((resolve) => {
          wake = resolve;
          done.signal.addEventListener("abort", () => resolve(), { once: true });
        });
      const batch = queued.splice(0);
      after = writeEvents(res, batch, after);
      if (batch.some((e) => e.type === "status"))
        status = (await deps.store.getBuild(build.id))?.status ?? status;
    }
    if (!done.signal.aborted) {
      // the finish may have appended events after the last live batch
      after = writeEvents(res, await deps.store.readBuildEvents(build.id, { afterId: after }), after);
      res.write("event: end\ndata:\n\n");
    }
  } finally {
    unfollow();
    ctx.closing.removeEventListener("abort", stop);
    res.end();
  }
}

/** Writes the events newer than `after`; answers the last id written. */
function writeEvents(res: ServerResponse, events: readonly BuildEvent[], after: number): number {
  let last = after;
  for (const event of events) {
    if (event.id <= last) continue;
    const payload = JSON.stringify({ event: event.type, version: EVENT_VERSION, data: event.data });
    res.write(`id: ${event.id}\nevent: event\ndata: ${payload}\n\n`);
    last = event.id;
  }
  return last;
}

function positiveIntOrZero(value: string): number {
  return value === "0" ? 0 : positiveInt(value, "Last-Event-ID");
}

/**
 * `GET /api/v1/builds/:id/events` as server-sent events: the stored events after `Last-Event-ID`
 * first, then the ones the engine appends, then `event: end` once the build is finished. Each
 * event is Concourse's envelope: `id: N`, `event: event`, `data: {"event":TYPE,"version":"1.0","data":…}`.
 */
import { openEventStream, type EventStream } from "../../http/event-stream.ts";
import type { RequestContext } from "../../http/router.ts";
import { isFinished, type BuildEvent } from "../store/index.ts";
import { buildOf, type ApiDeps } from "./context.ts";
import { positiveInt } from "./respond.ts";

/** The version of our event payloads (Concourse versions each event type; ours change together). */
export const EVENT_VERSION = "1.0";
const CATCH_UP_PAGE = 1000;
const STATUS_POLL_MS = 1000;

export async function streamBuildEvents(deps: ApiDeps, ctx: RequestContext): Promise<void> {
  const { build } = await buildOf(deps, ctx);
  const lastId = ctx.req.headers["last-event-id"];
  let after = lastId === undefined ? 0 : positiveIntOrZero(String(lastId));
  const stream = openEventStream(ctx);
  // follow first, so that nothing appended between the catch-up and the subscription is lost
  const queued: BuildEvent[] = [];
  let wake = (): void => undefined;
  const unfollow = deps.engine.followBuild(build.id, (events) => {
    queued.push(...events);
    wake();
  });
  try {
    let stored: BuildEvent[];
    do {
      stored = await deps.store.readBuildEvents(build.id, { afterId: after, limit: CATCH_UP_PAGE });
      after = writeEvents(stream, stored, after);
    } while (stored.length === CATCH_UP_PAGE);
    for (;;) {
      after = writeEvents(stream, queued.splice(0), after);
      // the engine appends the final status event before it marks the build finished
      const status = (await deps.store.getBuild(build.id))?.status ?? build.status;
      if (stream.signal.aborted || isFinished(status)) break;
      if (queued.length > 0) continue;
      await nextWake(stream.signal, (resolve) => (wake = resolve));
      // another replica may be running the build: its events reach us through the store only
      if (queued.length === 0 && !stream.signal.aborted)
        queued.push(
          ...(await deps.store.readBuildEvents(build.id, { afterId: after, limit: CATCH_UP_PAGE })),
        );
    }
    if (!stream.signal.aborted) {
      // the finish may have appended events after the last live batch
      after = writeEvents(stream, await deps.store.readBuildEvents(build.id, { afterId: after }), after);
      stream.send("end", null);
    }
  } finally {
    unfollow();
    stream.end();
  }
}

/** Writes the events newer than `after`; answers the last id written. */
function writeEvents(stream: EventStream, events: readonly BuildEvent[], after: number): number {
  let last = after;
  for (const event of events) {
    if (event.id <= last) continue;
    // a log line carries its unix time, as Concourse's does
    const data =
      event.type === "log" ? { ...(event.data as object), time: Math.floor(event.time / 1000) } : event.data;
    stream.send("event", { event: event.type, version: EVENT_VERSION, data }, event.id);
    last = event.id;
  }
  return last;
}

/** Resolves on a wake-up, after STATUS_POLL_MS (the build may finish without a further event), or on abort. */
function nextWake(signal: AbortSignal, setWake: (resolve: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, STATUS_POLL_MS);
    const finish = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", finish);
      resolve();
    };
    setWake(finish);
    signal.addEventListener("abort", finish, { once: true });
  });
}

function positiveIntOrZero(value: string): number {
  return value === "0" ? 0 : positiveInt(value, "Last-Event-ID");
}

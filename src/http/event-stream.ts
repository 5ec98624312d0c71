/**
 * A server-sent event stream on a response: its headers, a signal that aborts when the client
 * goes or the server begins to close, a comment now and then so proxies keep a quiet stream
 * open, and one `end` for all of it.
 */
import type { RequestContext } from "./router.ts";

const HEARTBEAT_MS = 25_000;

export interface EventStream {
  /** Aborted when the client disconnects or the server shuts down. */
  signal: AbortSignal;
  /** Writes one event (`id` when the client may resume from it). */
  send(event: string, data: unknown, id?: number): void;
  /** Stops the heartbeat and ends the response. */
  end(): void;
}

export function openEventStream(ctx: RequestContext): EventStream {
  const { res } = ctx;
  res.writeHead(200, {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",
  });
  // the client learns at once that the stream is open, before any event
  res.flushHeaders();
  const done = new AbortController();
  const stop = () => done.abort();
  ctx.closing.addEventListener("abort", stop, { once: true });
  res.once("close", stop);
  const heartbeat = setInterval(() => res.write(": still here\n\n"), HEARTBEAT_MS);
  return {
    signal: done.signal,
    send(event, data, id) {
      res.write(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      clearInterval(heartbeat);
      ctx.closing.removeEventListener("abort", stop);
      res.end();
    },
  };
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

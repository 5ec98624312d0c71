/**
 * One stream of the server's change announcements for the whole page, shared by every page that
 * follows it: open while someone listens, opened again (after a pause) when it ends or fails.
 */
import { changes, type ServerChange } from "./api.ts";

const listeners = new Set<(change: ServerChange) => void>();
let stream: AbortController | undefined;

async function follow(signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      for await (const change of changes(signal)) for (const listener of listeners) listener(change);
    } catch {
      // a lost connection or an expired login: try again shortly (the pages' own requests say why)
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

export function onServerChange(listener: (change: ServerChange) => void): () => void {
  listeners.add(listener);
  if (!stream) {
    stream = new AbortController();
    void follow(stream.signal);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    stream?.abort();
    stream = undefined;
  };
}

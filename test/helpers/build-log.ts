import type { BuildEvent } from "../../src/ci/store/store.ts";

/** A build's log and error lines as text, one per line, as a person reads them. */
export const logText = (events: BuildEvent[]): string =>
  events
    .filter((e) => e.type === "log" || e.type === "error")
    .map((e) => {
      const data = e.data as { line?: string; message?: string };
      return data.line ?? data.message ?? "";
    })
    .join("\n");

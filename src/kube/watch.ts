import { z } from "zod";
import type { KubeClient } from "./client.ts";
import { isGone } from "./errors.ts";
import type { KubeObject } from "./objects.ts";

export interface WatchOptions {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** where the stream starts; events after this version are delivered */
  resourceVersion: string;
  allowWatchBookmarks?: boolean;
  /** the server ends the stream cleanly after this many seconds */
  timeoutSeconds: number;
}

/** The API's Status object, as carried by an ERROR event. */
export const WatchStatus = z.object({
  code: z.number().optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type WatchStatus = z.infer<typeof WatchStatus>;

export type WatchEvent<T extends KubeObject = KubeObject> =
  | { type: "ADDED" | "MODIFIED" | "DELETED"; object: T }
  /** only `metadata.resourceVersion` of the object is meaningful */
  | { type: "BOOKMARK"; object: T }
  | { type: "ERROR"; status: WatchStatus }
  /** the requested resourceVersion is no longer available (410 Gone): the caller must list again */
  | { type: "EXPIRED"; status: WatchStatus };

const RawEvent = z.object({
  type: z.enum(["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]),
  object: z.record(z.string(), z.unknown()),
});

/**
 * Watches one kind from a resourceVersion, yielding events as the server streams them (one JSON
 * document per line). The iterator ends when the server closes the stream (e.g. after
 * `timeoutSeconds`), after an EXPIRED event, or when `signal` aborts; a network failure throws.
 */
export async function* watch<T extends KubeObject = KubeObject>(
  client: KubeClient,
  options: WatchOptions,
  signal: AbortSignal,
): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const path = await client.pathFor(options.apiVersion, options.kind, options.namespace);
  const query = {
    watch: 1,
    resourceVersion: options.resourceVersion,
    allowWatchBookmarks: options.allowWatchBookmarks ?? true,
    timeoutSeconds: options.timeoutSeconds,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
  };
  // a stream silent for longer than its own timeout (bookmarks arrive about every minute) is dead
  const idleTimeoutMs = (options.timeoutSeconds + 60) * 1000;
  let body: AsyncIterable<Buffer>;
  try {
    body = await client.stream(path, { query, signal, idleTimeoutMs });
  } catch (err) {
    if (signal.aborted) return;
    if (isGone(err)) {
      yield { type: "EXPIRED", status: { code: 410, message: (err as Error).message } };
      return;
    }
    throw err;
  }
  try {
    for await (const line of lines(body)) {
      const event = parseEvent<T>(line);
      yield event;
      if (event.type === "EXPIRED") return;
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
}

/** One line of a watch stream as a typed event; malformed input is a protocol error and throws. */
export function parseEvent<T extends KubeObject = KubeObject>(line: string): WatchEvent<T> {
  const raw = RawEvent.parse(JSON.parse(line));
  if (raw.type !== "ERROR") return { type: raw.type, object: raw.object as T };
  const status = WatchStatus.parse(raw.object);
  return status.code === 410 ? { type: "EXPIRED", status } : { type: "ERROR", status };
}

/** Splits a byte stream into non-empty text lines; multi-byte characters may straddle chunks. */
export async function* lines(chunks: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield line;
    }
  }
  pending += decoder.decode();
  if (pending.trim()) yield pending.trim();
}

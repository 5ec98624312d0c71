import type { IncomingMessage, ServerResponse } from "node:http";
import { sendText } from "./respond.ts";

export type BodyResult = Buffer | "too-large" | "aborted";

/**
 * The raw request body, "too-large" as soon as it is known to exceed `limit` bytes (nothing more
 * is read: answer with `sendPayloadTooLarge`), or "aborted" when the client went away.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve("too-large");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (value: BodyResult): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        done("too-large");
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => done(Buffer.concat(chunks, size));
    const onError = (): void => done("aborted");
    const onClose = (): void => {
      if (!req.complete) done("aborted");
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/** 413, then the connection is closed: the unread rest of the body is never read. */
export function sendPayloadTooLarge(
  req: IncomingMessage,
  res: ServerResponse,
  headers: Record<string, string> = {},
): void {
  sendText(res, 413, "payload too large", { ...headers, Connection: "close" });
  res.once("finish", () => req.socket.destroySoon());
}

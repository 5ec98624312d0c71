import type { IncomingMessage, ServerResponse } from "node:http";

/** A short plain-text answer: `text` and a newline, with its length. */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  const body = `${text}\n`;
  res.writeHead(status, {
    ...headers,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(body)),
  });
  res.end(body);
}

/** Whether the client takes gzip (`Accept-Encoding`). */
export const acceptsGzip = (req: IncomingMessage) =>
  /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));

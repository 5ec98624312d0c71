/** JSON in and out of the API's handlers; every failure is an ApiError answered as `{error}`. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { readBody, sendPayloadTooLarge } from "../../http/body.ts";
import { acceptsGzip } from "../../http/respond.ts";
import type { RequestContext, RouteHandler } from "../../http/router.ts";
import { ApiError } from "./errors.ts";

const BODY_LIMIT = 4 * 1024 * 1024;
const GZIP_FROM_BYTES = 4096;

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  const text = Buffer.from(JSON.stringify(value));
  // lists (the dashboard's, a busy job's builds) shrink to a tenth
  const gzip = text.length > GZIP_FROM_BYTES && acceptsGzip(res.req);
  const body = gzip ? gzipSync(text) : text;
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json",
    "Content-Length": String(body.length),
    ...(gzip && { "Content-Encoding": "gzip", Vary: "Accept-Encoding" }),
  });
  res.end(body);
}

/** 204-style success with nothing to say; Concourse answers 200 with an empty body. */
export function sendEmpty(res: ServerResponse, status = 200): void {
  res.writeHead(status, { "Content-Length": "0" });
  res.end();
}

/** Runs a handler and answers its ApiError (or a 500 for anything else) as JSON. */
export function handled(handler: RouteHandler): RouteHandler {
  return async (ctx: RequestContext) => {
    try {
      await handler(ctx);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 413) return sendPayloadTooLarge(ctx.req, ctx.res);
      if (ctx.res.headersSent) ctx.res.destroy();
      else sendJson(ctx.res, error.status, { error: error.message, ...error.details });
    }
  };
}

/** The body as text (UTF-8); 413 over 4 MiB. */
export async function readText(req: IncomingMessage): Promise<string> {
  const body = await readBody(req, BODY_LIMIT);
  if (body === "too-large") throw new ApiError(413, "payload too large");
  if (body === "aborted") throw new ApiError(400, "request body aborted");
  return body.toString("utf8");
}

/** The body parsed as a JSON object; an empty body is `{}`. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readText(req);
  if (text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, `request body is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ApiError(400, "request body must be a JSON object");
  return value as Record<string, unknown>;
}

export function queryOf(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? "/", "http://x").searchParams;
}

/** A positive integer path or query parameter, or a 400 naming it. */
export function positiveInt(value: string | undefined | null, name: string): number {
  const n = Number(value);
  if (value == null || !Number.isSafeInteger(n) || n <= 0)
    throw new ApiError(400, `${name} must be a positive integer`);
  return n;
}

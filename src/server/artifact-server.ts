/**
 * Serves stored source artifacts over HTTP, as source-controller's storage server does: GET and
 * HEAD of `/<kind>/<namespace>/<name>/<hex>.tar.gz`, streamed from disk. Anything that is not the
 * path of a stored artifact, traversal attempts included, is a plain 404.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { Logger } from "../runtime/logger.ts";
import { sendText } from "../http/respond.ts";
import { Router, type RequestContext } from "../http/router.ts";
import { HttpServer, type HttpLimits } from "../http/server.ts";
import {
  InvalidArtifactPathError,
  type ArtifactStore,
  type StoredArtifact,
} from "../source/artifact-store.ts";

export interface ArtifactServerOptions {
  store: ArtifactStore;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  limits?: Partial<HttpLimits>;
  /** access logs and failures while serving (a file that cannot be read) */
  logger?: Logger;
}

export function artifactServer(options: ArtifactServerOptions): HttpServer {
  const router = new Router().on(["GET", "HEAD"], "/*", (ctx) => serveArtifact(options.store, ctx));
  return new HttpServer({ ...options, name: "artifacts", router });
}

async function serveArtifact(store: ArtifactStore, { req, res }: RequestContext): Promise<void> {
  const artifact = await findArtifact(store, req.url ?? "");
  if (!artifact) {
    sendText(res, 404, "not found");
    return;
  }
  await sendArtifact(req, res, artifact);
}

async function sendArtifact(
  req: IncomingMessage,
  res: ServerResponse,
  artifact: StoredArtifact,
): Promise<void> {
  const etag = `"${artifact.digest}"`;
  const headers = { ETag: etag, "Last-Modified": artifact.lastModified.toUTCString() };
  if (matchesEtag(req.headers["if-none-match"], etag)) {
    artifact.stream.destroy();
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(200, {
    ...headers,
    "Content-Type": "application/gzip",
    "Content-Length": String(artifact.size),
  });
  if (req.method === "HEAD") {
    artifact.stream.destroy();
    res.end();
    return;
  }
  try {
    await pipeline(artifact.stream, res);
  } catch (err) {
    // a client gone mid-download is no failure of ours (the access log shows it aborted)
    if ((err as NodeJS.ErrnoException).code !== "ERR_STREAM_PREMATURE_CLOSE") throw err;
  }
}

/** The stored artifact a request target names, or undefined for anything else. */
async function findArtifact(store: ArtifactStore, target: string): Promise<StoredArtifact | undefined> {
  const artifactPath = artifactPathOf(target);
  if (artifactPath === undefined) return undefined;
  try {
    return await store.get(artifactPath);
  } catch (err) {
    if (err instanceof InvalidArtifactPathError) return undefined;
    throw err;
  }
}

/** "/a/b%2Ec/..?query" → "a/b.c/.."; the store then accepts only exact artifact paths. */
function artifactPathOf(target: string): string | undefined {
  const pathname = target.split("?")[0] ?? "";
  if (!pathname.startsWith("/")) return undefined;
  try {
    return decodeURIComponent(pathname.slice(1));
  } catch {
    return undefined;
  }
}

/** RFC 9110 If-None-Match: "*" or a list of (weak or strong) entity tags, compared weakly. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === etag);
}

/**
 * Serves stored source artifacts over HTTP, as source-controller's storage server does: GET and
 * HEAD of `/<kind>/<namespace>/<name>/<hex>.tar.gz`, streamed from disk. Anything that is not the
 * path of a stored artifact, traversal attempts included, is a plain 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pipeline } from "node:stream/promises";
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
  /** Closes the server when aborted. */
  signal?: AbortSignal;
  /** Told about failures while serving (a file that cannot be read, a client gone mid-stream). */
  onError?: (err: Error) => void;
}

export interface ArtifactServer {
  /** http://host:port, without a trailing slash. */
  url: string;
  close(): Promise<void>;
}

export async function startArtifactServer(options: ArtifactServerOptions): Promise<ArtifactServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((req, res) => {
    void serveArtifact(options, req, res);
  });
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= closeServer(server));
  options.signal?.addEventListener("abort", () => void close(), { once: true });
  return { url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, close };
}

async function serveArtifact(
  options: ArtifactServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendText(res, 405, "method not allowed", { Allow: "GET, HEAD" });
      return;
    }
    const artifact = await findArtifact(options.store, req.url ?? "");
    if (!artifact) {
      sendText(res, 404, "not found");
      return;
    }
    await sendArtifact(req, res, artifact);
  } catch (err) {
    options.onError?.(err as Error);
    if (!res.headersSent) sendText(res, 500, "internal error");
    else res.destroy();
  }
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
  await pipeline(artifact.stream, res);
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

function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, "Content-Type": "text/plain; charset=utf-8" }).end(`${body}\n`);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}

import { nextTerminationSignal } from "./processes.ts";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash, timingSafeEqual } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { ExitCode, SluiceError } from "../common/errors.ts";
import { hardenedGitEnv, runGit } from "../git/exec.ts";
import { init } from "../git/repository.ts";
import { registryEventsPath, relayRegistryEvents, sendPushWebhooks, webhooksFile } from "./webhooks.ts";
import { killProcessGroup } from "../process/kill.ts";

export interface GitServerOptions {
  /** Directory holding the repositories: `<root>/<name>.git`. */
  root: string;
  host?: string;
  port?: number;
  username: string;
  password: string;
  /** Called with the repository name after each successful receive-pack (push). */
  onPush?: (repo: string) => void;
  /** Receives POSTs to /_registry-events (the registry's notifications, relayed; no auth on loopback). */
  onRegistryEvents?: (body: string) => void;
  /** Where failures are reported; default: a line on stderr. */
  log?: (message: string) => void;
}

export interface GitServer {
  /** Base URL; repositories are at `<url>/<name>.git`. */
  url: string;
  close(): Promise<void>;
}

type Service = "git-upload-pack" | "git-receive-pack";

/** A smart-HTTP request for one repository. */
export interface GitRoute {
  repo: string;
  service: Service;
  /** PATH_INFO for git http-backend, relative to the project root. */
  pathInfo: string;
  method: "GET" | "POST";
}

interface ServerContext {
  root: string;
  username: string;
  password: string;
  onPush: ((repo: string) => void) | undefined;
  onRegistryEvents: ((body: string) => void) | undefined;
  log: (message: string) => void;
  backends: Set<ChildProcessWithoutNullStreams>;
  creating: Map<string, Promise<void>>;
}

const realm = 'Basic realm="sluice-git"';
const segment = "[A-Za-z0-9_-][A-Za-z0-9._-]*";
const routePattern = new RegExp(
  `^/((?:${segment}/)*${segment})\\.git/(info/refs|git-upload-pack|git-receive-pack)$`,
);
const maxCgiHeaderBytes = 64 * 1024;

/** Starts the git smart-HTTP server: basic auth in front of `git http-backend`. */
export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const ctx: ServerContext = {
    root: path.resolve(options.root),
    username: options.username,
    password: options.password,
    onPush: options.onPush,
    onRegistryEvents: options.onRegistryEvents,
    log: options.log ?? ((message) => process.stderr.write(`git-server: ${message}\n`)),
    backends: new Set(),
    creating: new Map(),
  };
  const server = http.createServer((req, res) => {
    handle(req, res, ctx).catch((err: unknown) => {
      ctx.log(`${req.method} ${req.url}: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) sendText(res, 500, "internal error");
      else res.destroy();
    });
  });
  const host = options.host ?? "127.0.0.1";
  await listen(server, host, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: () => closeServer(server, ctx),
  };
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServer(server: http.Server, ctx: ServerContext): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
    for (const backend of ctx.backends) killProcessGroup(backend.pid, "SIGKILL");
  });
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ctx: ServerContext,
): Promise<void> {
  if (req.method === "POST" && req.url === registryEventsPath && ctx.onRegistryEvents) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    ctx.onRegistryEvents(Buffer.concat(chunks).toString("utf8"));
    sendText(res, 200, "ok");
    return;
  }
  if (!authorized(req.headers.authorization, ctx)) {
    res.setHeader("WWW-Authenticate", realm);
    sendText(res, 401, "authentication required");
    return;
  }
  const route = routeOf(req.url ?? "");
  if (!route) {
    sendText(res, 404, "not found");
    return;
  }
  if (req.method !== route.method) {
    res.setHeader("Allow", route.method);
    sendText(res, 405, "method not allowed");
    return;
  }
  const dir = path.join(ctx.root, `${route.repo}.git`);
  if (!(await isRepository(dir))) {
    if (route.service !== "git-receive-pack") {
      sendText(res, 404, "repository not found");
      return;
    }
    await createRepository(dir, ctx);
  }
  await runBackend(req, res, route, ctx);
}

/** Compares both parts of a Basic credential in constant time. */
function authorized(header: string | undefined, ctx: ServerContext): boolean {
  const encoded = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header ?? "")?.[1];
  if (encoded === undefined) return false;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  const userOk = sameSecret(decoded.slice(0, colon), ctx.username);
  const passwordOk = sameSecret(decoded.slice(colon + 1), ctx.password);
  return userOk && passwordOk;
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Maps a raw request target to a repository and service, or undefined. The path is matched as sent
 * (never normalised), so `.` and `..` segments, percent-escapes and dot-files are all rejected.
 */
export function routeOf(target: string): GitRoute | undefined {
  const queryAt = target.indexOf("?");
  const pathname = queryAt < 0 ? target : target.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? "" : target.slice(queryAt + 1));
  const match = routePattern.exec(pathname);
  const repo = match?.[1];
  const endpoint = match?.[2];
  if (repo === undefined || endpoint === undefined || repo.includes("..")) return undefined;
  if (
    repo
      .split("/")
      .slice(0, -1)
      .some((s) => s.endsWith(".git"))
  )
    return undefined;
  const pathInfo = `/${repo}.git/${endpoint}`;
  if (endpoint !== "info/refs") return { repo, service: endpoint as Service, pathInfo, method: "POST" };
  const service = query.get("service");
  if (service !== "git-upload-pack" && service !== "git-receive-pack") return undefined;
  return { repo, service, pathInfo, method: "GET" };
}

async function isRepository(dir: string): Promise<boolean> {
  try {
    return (await stat(path.join(dir, "HEAD"))).isFile();
  } catch {
    return false;
  }
}

/** Creates a bare repository for a first push; concurrent pushes to the same name share one creation. */
async function createRepository(dir: string, ctx: ServerContext): Promise<void> {
  let pending = ctx.creating.get(dir);
  if (!pending) {
    pending = (async () => {
      await init(dir, { bare: true, initialBranch: "main" });
      await runGit(["config", "http.receivepack", "true"], { cwd: dir });
    })().finally(() => ctx.creating.delete(dir));
    ctx.creating.set(dir, pending);
  }
  await pending;
}

function cgiEnv(req: http.IncomingMessage, route: GitRoute, ctx: ServerContext): Record<string, string> {
  const env: Record<string, string> = {
    ...hardenedGitEnv({ PATH: process.env["PATH"] }),
    GIT_PROJECT_ROOT: ctx.root,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: route.pathInfo,
    REQUEST_METHOD: route.method,
    QUERY_STRING: (req.url ?? "").split("?")[1] ?? "",
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    REMOTE_USER: ctx.username,
    REMOTE_ADDR: req.socket.remoteAddress ?? "",
  };
  const length = req.headers["content-length"];
  if (length !== undefined) env["CONTENT_LENGTH"] = length;
  const encoding = req.headers["content-encoding"];
  if (encoding !== undefined) env["HTTP_CONTENT_ENCODING"] = encoding;
  const protocol = req.headers["git-protocol"];
  if (typeof protocol === "string" && /^[A-Za-z0-9=:._-]+$/.test(protocol)) {
    env["GIT_PROTOCOL"] = protocol;
    env["HTTP_GIT_PROTOCOL"] = protocol;
  }
  return env;
}

/** Runs `git http-backend` as a CGI: request body to its stdin, its stdout (headers, body) back. */
function runBackend(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  route: GitRoute,
  ctx: ServerContext,
): Promise<void> {
  return new Promise((resolve) => {
    const backend = spawn("git", ["http-backend"], {
      env: cgiEnv(req, route, ctx),
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    ctx.backends.add(backend);
    let stderr = "";
    backend.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < 8192) stderr += chunk.toString("utf8");
    });
    backend.stdin.on("error", () => {}); // the backend may stop reading early; its exit status tells.
    req.on("error", () => killProcessGroup(backend.pid, "SIGKILL"));
    req.pipe(backend.stdin);
    res.on("close", () => {
      if (backend.exitCode === null && backend.signalCode === null) killProcessGroup(backend.pid, "SIGKILL");
    });
    const relay = relayCgiOutput(backend, res);
    backend.on("error", (err) => {
      stderr += err.message;
    });
    backend.on("close", (code, signal) => {
      ctx.backends.delete(backend);
      finishBackend({ route, res, ctx, status: relay.status(), ok: code === 0, stderr, signal });
      resolve();
    });
  });
}

function finishBackend(outcome: {
  route: GitRoute;
  res: http.ServerResponse;
  ctx: ServerContext;
  status: number | undefined;
  ok: boolean;
  stderr: string;
  signal: NodeJS.Signals | null;
}): void {
  const { route, res, ctx } = outcome;
  if (!outcome.ok || outcome.status === undefined) {
    if (!res.destroyed) {
      const why = outcome.signal ? `killed by ${outcome.signal}` : outcome.stderr.trim() || "no CGI headers";
      ctx.log(`http-backend failed for ${route.pathInfo}: ${why}`);
    }
    if (!res.headersSent) sendText(res, 500, "git http-backend failed");
    else res.destroy();
    return;
  }
  res.end();
  if (route.service === "git-receive-pack" && route.method === "POST" && outcome.status === 200) {
    notifyPush(route.repo, ctx);
  }
}

function notifyPush(repo: string, ctx: ServerContext): void {
  try {
    ctx.onPush?.(repo);
  } catch (err) {
    ctx.log(`onPush(${repo}) failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Parses the CGI header block of the backend's stdout, then streams the rest with backpressure. */
function relayCgiOutput(
  backend: ChildProcessWithoutNullStreams,
  res: http.ServerResponse,
): { status: () => number | undefined } {
  let head = Buffer.alloc(0);
  let status: number | undefined;
  const write = (chunk: Buffer): void => {
    if (chunk.length === 0 || res.destroyed) return;
    if (!res.write(chunk)) {
      backend.stdout.pause();
      res.once("drain", () => backend.stdout.resume());
    }
  };
  backend.stdout.on("data", (chunk: Buffer) => {
    if (status !== undefined) return write(chunk);
    head = Buffer.concat([head, chunk]);
    const parsed = parseCgiHead(head);
    if (!parsed) {
      if (head.length > maxCgiHeaderBytes) killProcessGroup(backend.pid, "SIGKILL");
      return;
    }
    status = parsed.status;
    for (const [name, value] of parsed.headers) res.appendHeader(name, value);
    res.writeHead(status);
    write(parsed.body);
  });
  return { status: () => status };
}

/** Splits a CGI response into status, headers and the start of the body; undefined until complete. */
export function parseCgiHead(
  data: Buffer,
): { status: number; headers: Array<[string, string]>; body: Buffer } | undefined {
  const text = data.toString("latin1");
  const crlf = text.indexOf("\r\n\r\n");
  const lf = text.indexOf("\n\n");
  const [end, separator] = crlf >= 0 && (lf < 0 || crlf < lf) ? [crlf, 4] : [lf, 2];
  if (end < 0) return undefined;
  let status = 200;
  const headers: Array<[string, string]> = [];
  for (const line of text.slice(0, end).split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
    else headers.push([name, value]);
  }
  return { status, headers, body: data.subarray(end + separator) };
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(`${text}\n`);
}

/**
 * `sluice dev git-server --root DIR [--host H] [--port P] --username U --password-file F`: serves
 * until SIGTERM or SIGINT, after printing one JSON line `{"url": ...}` once listening. The password
 * is read from a file so that it never appears on a command line.
 */
export async function runGitServerMain(argv: string[]): Promise<void> {
  const flags = parseMainFlags(argv);
  const password = (await readFile(flags.passwordFile, "utf8")).replace(/\r?\n$/, "");
  const hooks = webhooksFile(path.dirname(flags.passwordFile));
  const server: GitServer = await startGitServer({
    ...flags,
    password,
    onPush: (repo) => void sendPushWebhooks(hooks, repo, server.url),
    onRegistryEvents: (body) => void relayRegistryEvents(hooks, body),
  });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  await nextTerminationSignal();
  await server.close();
}

function parseMainFlags(argv: string[]): {
  root: string;
  host: string;
  port: number;
  username: string;
  passwordFile: string;
} {
  const usage = (message: string): SluiceError =>
    new SluiceError(message, {
      exitCode: ExitCode.usage,
      hint: "usage: sluice dev git-server --root DIR [--host H] [--port P] --username U --password-file F",
    });
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        root: { type: "string" },
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "0" },
        username: { type: "string" },
        "password-file": { type: "string" },
      },
    }));
  } catch (err) {
    throw usage(err instanceof Error ? err.message : String(err));
  }
  const { root, host, port, username, "password-file": passwordFile } = values;
  if (!root || !username || !passwordFile) throw usage("--root, --username and --password-file are required");
  const portNumber = Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535)
    throw usage(`bad --port ${port}`);
  return { root, host, port: portNumber, username, passwordFile };
}

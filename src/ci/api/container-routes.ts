/**
 * Containers running on the worker: `GET /api/v1/teams/:team/containers` (fly's containers) and
 * `POST /api/v1/teams/:team/containers/:handle/hijack` (fly's intercept), an HTTP upgrade to a
 * stream: the client's bytes are the command's standard input; the server sends frames of
 * `[kind: 1 stdout | 2 stderr | 3 exit][length: u32 BE][payload]`, the last one the exit status.
 */
import type { IncomingMessage } from "node:http";
import os from "node:os";
import type { Duplex } from "node:stream";
import type { ChildProcess } from "node:child_process";
import type { Router } from "../../http/router.ts";
import type { EnterOptions } from "../sandbox/container/enter-container.ts";
import type { RunningContainer } from "../sandbox/container/sandbox.ts";
import { authorizedTeam, type ApiDeps } from "./context.ts";
import { ApiError } from "./errors.ts";
import { handled, sendJson } from "./respond.ts";

/** What the API needs of the worker's containers (the Sandbox). */
export interface ContainerAccess {
  containers(): RunningContainer[];
  enter(handle: string, options: EnterOptions): Promise<ChildProcess | undefined>;
}

export interface ApiContainer {
  id: string;
  worker_name: string;
  type: "task" | "get" | "put" | "check";
  build_id: number | null;
  pipeline_name: string;
  job_name: string;
  step_name: string;
  started_at: number;
}

export const hijackUpgrade = "sluice-hijack";
export const FrameKind = { stdout: 1, stderr: 2, exit: 3 } as const;

export function frame(kind: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(kind, 0);
  header.writeUInt32BE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

const teamContainers = (deps: ApiDeps, team: string) =>
  (deps.containers?.containers() ?? []).filter((c) => c.owner?.team === team);

const present = (container: RunningContainer): ApiContainer => {
  const step = container.owner?.step ?? "check";
  return {
    id: container.handle,
    worker_name: os.hostname(),
    type: step.startsWith("task ")
      ? "task"
      : step.startsWith("in ")
        ? "get"
        : step.startsWith("out ")
          ? "put"
          : "check",
    build_id: container.owner?.buildId ?? null,
    pipeline_name: container.owner?.pipeline ?? "",
    job_name: container.owner?.job ?? "",
    step_name: step.replace(/^task /, ""),
    started_at: Math.floor(container.startedAt / 1000),
  };
};

export function containerRoutes(router: Router, deps: ApiDeps): void {
  router.on(
    "GET",
    "/api/v1/teams/:team/containers",
    handled(async (ctx) => {
      const team = await authorizedTeam(deps, ctx);
      sendJson(ctx.res, 200, teamContainers(deps, team).map(present));
    }),
  );
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? "Not Found" : "Refused"}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function enterOptions(url: URL): EnterOptions {
  const argv = JSON.parse(url.searchParams.get("argv") ?? '["sh"]') as unknown;
  if (!Array.isArray(argv) || argv.length === 0 || argv.some((word) => typeof word !== "string"))
    throw new ApiError(400, "argv must be a JSON array of strings");
  const tty = url.searchParams.get("tty") === "1";
  const size = (name: string, fallback: number) => Number(url.searchParams.get(name)) || fallback;
  return {
    argv: argv as string[],
    tty: tty ? { rows: size("rows", 24), cols: size("cols", 80) } : undefined,
  };
}

function pipe(child: ChildProcess, socket: Duplex): void {
  child.stdout?.on("data", (chunk: Buffer) => socket.write(frame(FrameKind.stdout, chunk)));
  child.stderr?.on("data", (chunk: Buffer) => socket.write(frame(FrameKind.stderr, chunk)));
  socket.on("data", (chunk: Buffer) => child.stdin?.write(chunk));
  socket.on("end", () => child.stdin?.end());
  socket.on("close", () => child.kill("SIGKILL"));
  child.stdin?.on("error", () => {}); // the command may exit before reading all its input
  child.on("error", (error) => socket.end(frame(FrameKind.stderr, Buffer.from(`${error.message}\n`))));
  child.on("close", (code, signal) => {
    const status = code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1);
    socket.end(frame(FrameKind.exit, Buffer.from(String(status))));
  });
}

/** The HTTP server's upgrade handler for hijacks; other upgrades are refused. */
export function hijackHandler(deps: ApiDeps) {
  return (req: IncomingMessage, socket: Duplex): void => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const match = /^\/api\/v1\/teams\/([^/]+)\/containers\/([0-9a-f]+)\/hijack$/.exec(url.pathname);
      if (!match || req.headers.upgrade !== hijackUpgrade) return refuse(socket, 404, "not found");
      const [, team, handle] = match as unknown as [string, string, string];
      await deps.auth.authorize(req, decodeURIComponent(team), "write");
      if (!teamContainers(deps, decodeURIComponent(team)).some((c) => c.handle === handle))
        return refuse(socket, 404, `no running container ${handle} in team ${team}`);
      const child = await deps.containers?.enter(handle, enterOptions(url));
      if (!child) return refuse(socket, 404, `container ${handle} has ended`);
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${hijackUpgrade}\r\nConnection: Upgrade\r\n\r\n`,
      );
      pipe(child, socket);
    })().catch((error: unknown) => {
      const status = error instanceof ApiError ? error.status : 500;
      refuse(socket, status, (error as Error).message);
    });
  };
}

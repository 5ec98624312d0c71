import http from "node:http";
import type { AddressInfo } from "node:net";
import { silentLogger, type Logger } from "./logger.ts";
import { prometheusContentType, type Registry } from "./metrics.ts";

/** A named readiness condition; returns true when ready. */
export type ReadyCheck = () => boolean;

export interface HealthServerOptions {
  registry: Registry;
  logger?: Logger;
}

/**
 * Serves `/metrics` (Prometheus text), `/healthz` and `/livez` (the process answers) and `/readyz`
 * (every registered check passes; the failing ones are named in the 503 body).
 */
export class HealthServer {
  private readonly options: HealthServerOptions;
  private readonly checks = new Map<string, ReadyCheck>();
  private server: http.Server | undefined;

  constructor(options: HealthServerOptions) {
    this.options = options;
  }

  addReadyCheck(name: string, check: ReadyCheck): void {
    this.checks.set(name, check);
  }

  /** Listens (port 0 picks a free port) and returns the bound address. */
  async start(listen: { host?: string; port: number }): Promise<AddressInfo> {
    if (this.server) throw new Error("the health server is already started");
    const server = http.createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(listen.port, listen.host ?? "0.0.0.0", () => {
        server.off("error", reject);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  get address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method !== "GET" && req.method !== "HEAD") return reply(res, 405, "method not allowed\n");
    switch (path) {
      case "/metrics":
        return reply(res, 200, this.renderMetrics(), prometheusContentType);
      case "/healthz":
      case "/livez":
        return reply(res, 200, "ok\n");
      case "/readyz":
        return this.readyz(res);
      default:
        return reply(res, 404, "not found\n");
    }
  }

  private renderMetrics(): string {
    try {
      return this.options.registry.render();
    } catch (err) {
      (this.options.logger ?? silentLogger()).error({ err }, "rendering metrics failed");
      return "";
    }
  }

  private readyz(res: http.ServerResponse): void {
    const failing = [...this.checks].filter(([, check]) => !safe(check)).map(([name]) => name);
    if (failing.length === 0) return reply(res, 200, "ok\n");
    reply(res, 503, failing.map((name) => `[-]${name} not ready\n`).join(""));
  }
}

function safe(check: ReadyCheck): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

function reply(
  res: http.ServerResponse,
  status: number,
  body: string,
  contentType = "text/plain; charset=utf-8",
): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

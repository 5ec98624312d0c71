import type { ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sendText } from "../http/respond.ts";
import { Router } from "../http/router.ts";
import { HttpServer } from "../http/server.ts";
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
  readonly #options: HealthServerOptions;
  readonly #checks = new Map<string, ReadyCheck>();
  #server: HttpServer | undefined;

  constructor(options: HealthServerOptions) {
    this.#options = options;
  }

  addReadyCheck(name: string, check: ReadyCheck): void {
    this.#checks.set(name, check);
  }

  /** Listens (port 0 picks a free port) and returns the bound address. */
  async start(listen: { host?: string; port: number }): Promise<AddressInfo> {
    if (this.#server) throw new Error("the health server is already started");
    const both = ["GET", "HEAD"] as const;
    const router = new Router()
      .on(both, "/metrics", ({ res }) => this.#metrics(res))
      .on(both, "/healthz", ({ res }) => sendText(res, 200, "ok"))
      .on(both, "/livez", ({ res }) => sendText(res, 200, "ok"))
      .on(both, "/readyz", ({ res }) => this.#readyz(res))
      .on(both, "/*", ({ res }) => sendText(res, 404, "not found"));
    this.#server = new HttpServer({
      name: "health",
      router,
      host: listen.host ?? "0.0.0.0",
      port: listen.port,
      ...(this.#options.logger ? { logger: this.#options.logger } : {}),
      accessLogLevel: "debug",
    });
    return this.#server.listen();
  }

  get address(): AddressInfo | undefined {
    return this.#server?.address;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    await server?.close();
  }

  #metrics(res: ServerResponse): void {
    let text = "";
    try {
      text = this.#options.registry.render();
    } catch (err) {
      (this.#options.logger ?? silentLogger()).error({ err }, "rendering metrics failed");
    }
    res.writeHead(200, { "Content-Type": prometheusContentType, "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  }

  #readyz(res: ServerResponse): void {
    const failing = [...this.#checks].filter(([, check]) => !safe(check)).map(([name]) => name);
    if (failing.length === 0) sendText(res, 200, "ok");
    else sendText(res, 503, failing.map((name) => `[-]${name} not ready`).join("\n"));
  }
}

function safe(check: ReadyCheck): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

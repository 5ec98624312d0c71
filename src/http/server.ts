/**
 * The one way Sluice serves HTTP: a `Router` behind node:http with request limits, access logs
 * and a graceful close. It listens on `listen()` (port 0 picks a free port; `address` and `url`
 * then tell which) or as a runnable: `start(signal)` listens and closes once `signal` aborts.
 *
 * Closing stops accepting, closes idle keep-alive connections, lets requests in flight finish up
 * to `shutdownTimeoutMs`, then closes whatever is left; `drain` is awaited last.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";
import { logAccess } from "./access-log.ts";
import { sendText } from "./respond.ts";
import type { Router } from "./router.ts";

export interface HttpLimits {
  /** time to receive the request headers (default 10 s) */
  headersTimeoutMs: number;
  /** time to receive the whole request, body included (default 30 s) */
  requestTimeoutMs: number;
  /** connections at once; more are refused (default 1024) */
  maxConnections: number;
}

export const defaultHttpLimits: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 1024,
};

export interface HttpServerOptions {
  /** what the server is, in logs and as a runnable's name */
  name: string;
  router: Router;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  limits?: Partial<HttpLimits>;
  /** access logs and handler failures go here; nothing is logged without one */
  logger?: Logger;
  /** default "info"; "debug" for servers polled all the time (probes, metrics) */
  accessLogLevel?: "info" | "debug";
  /** the request path as the access log may show it (paths that carry secrets) */
  redactPath?: (path: string) => string;
  /** how long closing waits for requests in flight (default 10 s) */
  shutdownTimeoutMs?: number;
  /** work started by requests that outlives them, awaited when closing */
  drain?: () => Promise<void>;
  /** Takes connections that leave HTTP (`Upgrade:`, e.g. a shell into a container); they are destroyed when the server closes. */
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/** One listening period, from `listen` to the end of its close. */
interface Listening {
  server: Server;
  /** aborted when the close begins */
  closing: AbortController;
  inFlight: Set<ServerResponse>;
  upgraded: Set<Duplex>;
  closed?: Promise<void>;
}

export class HttpServer {
  readonly name: string;
  readonly #options: HttpServerOptions;
  #current: Listening | undefined;

  constructor(options: HttpServerOptions) {
    this.name = options.name;
    this.#options = options;
  }

  /** Listens and returns the bound address; again after a close, too. */
  async listen(): Promise<AddressInfo> {
    if (this.#current) throw new Error(`the ${this.name} server is already listening`);
    const limits = { ...defaultHttpLimits, ...this.#options.limits };
    const server = createServer(
      {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        // how often node checks those two timeouts (its default, 30 s, would stretch them)
        connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
      },
      (req, res) => void this.#serve(current, req, res),
    );
    server.maxConnections = limits.maxConnections;
    const current: Listening = {
      server,
      closing: new AbortController(),
      inFlight: new Set(),
      upgraded: new Set(),
    };
    this.#current = current;
    const { upgrade } = this.#options;
    if (upgrade) {
      server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        current.upgraded.add(socket);
        socket.once("close", () => current.upgraded.delete(socket));
        upgrade(req, socket, head);
      });
    }
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(this.#options.port ?? 0, this.#host, () => {
          server.off("error", reject);
          resolve();
        });
      });
    } catch (err) {
      this.#current = undefined;
      throw err;
    }
    server.on("error", (err) =>
      this.#options.logger?.error({ err, server: this.name }, "http server failed"),
    );
    return server.address() as AddressInfo;
  }

  /** The bound address, while listening. */
  get address(): AddressInfo | undefined {
    return (this.#current?.server.address() as AddressInfo | null) ?? undefined;
  }

  /** http://host:port (the listening host, the bound port), without a trailing slash. */
  get url(): string {
    const address = this.address;
    if (!address) throw new Error(`the ${this.name} server is not listening`);
    const host = this.#host;
    return `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  }

  /** As a runnable: listens, and closes once `signal` aborts; `done` resolves when closed. */
  async start(signal: AbortSignal): Promise<{ done: Promise<void> }> {
    await this.listen();
    const done = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", () => resolve(), { once: true });
    }).then(() => this.close());
    return { done };
  }

  /** Graceful close (see the module comment); calls during a close return the same promise. */
  close(): Promise<void> {
    const current = this.#current;
    if (!current) return Promise.resolve();
    current.closed ??= this.#close(current).finally(() => {
      if (this.#current === current) this.#current = undefined;
    });
    return current.closed;
  }

  get #host(): string {
    return this.#options.host ?? "127.0.0.1";
  }

  async #close({ server, closing, inFlight, upgraded }: Listening): Promise<void> {
    closing.abort();
    for (const socket of upgraded) socket.destroy();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const res of inFlight) res.shouldKeepAlive = false;
    server.closeIdleConnections();
    const deadline = setTimeout(
      () => server.closeAllConnections(),
      this.#options.shutdownTimeoutMs ?? 10_000,
    );
    await closed;
    clearTimeout(deadline);
    await this.#options.drain?.();
  }

  /** While closing, a keep-alive connection is closed as soon as its request is answered. */
  #track({ server, closing, inFlight }: Listening, res: ServerResponse): void {
    if (closing.signal.aborted) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once("close", () => {
      inFlight.delete(res);
      if (closing.signal.aborted) setImmediate(() => server.closeIdleConnections());
    });
  }

  async #serve(current: Listening, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { logger } = this.#options;
    if (logger) {
      const redactPath = this.#options.redactPath ?? ((path: string) => path);
      logAccess({ logger, level: this.#options.accessLogLevel ?? "info", redactPath }, req, res);
    }
    this.#track(current, res);
    try {
      const route = this.#options.router.resolve(req.method, req.url ?? "");
      await route.handler({ req, res, params: route.params, closing: current.closing.signal });
    } catch (err) {
      logger?.error({ err, server: this.name }, "http handler failed");
      if (!res.headersSent) sendText(res, 500, "internal error");
      else res.destroy();
    }
  }
}

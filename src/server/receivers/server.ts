/**
 * The webhook receiver HTTP server, as notification-controller's (port 9292), independent of
 * Kubernetes: the caller maps a webhook path to a Receiver (`lookup`) and is told about accepted
 * calls (`onAccepted`), which it turns into reconcile requests.
 *
 * POST only. An unknown path is a bare 404, whatever receivers exist. The body is read raw, up to
 * `maxBodyBytes` (413 past it, the rest left unread and the connection closed), then verified for
 * the Receiver's type; failures get a short generic answer, with the reason only in the log. A
 * verified call is answered 200 at once; `onAccepted` runs afterwards, its errors logged. Bodies,
 * tokens and header values are never logged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { silentLogger, type Logger } from "../../runtime/logger.ts";
import { verifyWebhook, type RegistryImage } from "./verify.ts";

export interface ReceiverTarget {
  namespace: string;
  name: string;
  /** spec.type: generic, generic-hmac, github, gitlab, gitea, bitbucket, harbor, dockerhub, quay, acr, nexus, distribution */
  type: string;
  /** the `token` of the Receiver's secret */
  token: string;
  /** spec.events; empty = all */
  events: string[];
}

export interface AcceptedEvent {
  /** The sender's event name when the type has one (`push`, `Push Hook`, `repo:refs_changed`, ...). */
  event?: string;
  /** distribution: the images the notification named. */
  images?: RegistryImage[];
}

export interface ReceiverServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** The Receiver whose `.status.webhookPath` is exactly this request target, if any. */
  lookup: (path: string) => ReceiverTarget | undefined;
  /** Called after the 200 has been sent; not awaited by the request. */
  onAccepted: (target: ReceiverTarget, event: AcceptedEvent) => Promise<void> | void;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  logger?: Logger;
  /** Closes the server when aborted. */
  signal?: AbortSignal;
}

export interface ReceiverServer {
  /** http://host:port, without a trailing slash. */
  url: string;
  port: number;
  /** Stops accepting, waits for open requests and for `onAccepted` calls still running. */
  close(): Promise<void>;
}

export const defaultMaxBodyBytes = 1024 * 1024;

export async function startReceiverServer(options: ReceiverServerOptions): Promise<ReceiverServer> {
  const host = options.host ?? "127.0.0.1";
  const logger = options.logger ?? silentLogger();
  const inFlight = new Set<Promise<void>>();
  const handler = new Handler(options, logger, inFlight);
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
    handler.handle(req, res).catch((err: unknown) => {
      logger.error({ err }, "webhook receiver failed");
      if (!res.headersSent) sendText(res, 500, "internal error");
      else res.destroy();
    });
  });
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await closeServer(server);
      await Promise.allSettled([...inFlight]);
    })());
  options.signal?.addEventListener("abort", () => void close(), { once: true });
  return { url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, port, close };
}

class Handler {
  private readonly options: ReceiverServerOptions;
  private readonly logger: Logger;
  private readonly inFlight: Set<Promise<void>>;
  private readonly maxBodyBytes: number;

  constructor(options: ReceiverServerOptions, logger: Logger, inFlight: Set<Promise<void>>) {
    this.options = options;
    this.logger = logger;
    this.inFlight = inFlight;
    this.maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") {
      sendText(res, 405, "method not allowed", { Allow: "POST" });
      return;
    }
    const target = this.options.lookup(req.url ?? "");
    if (target === undefined) {
      sendText(res, 404, "not found");
      return;
    }
    const log = this.logger.child({ kind: "Receiver", namespace: target.namespace, name: target.name });
    const body = await readBody(req, this.maxBodyBytes);
    if (body === "too-large") {
      log.info("webhook rejected: body too large");
      sendText(res, 413, "payload too large", { Connection: "close" });
      res.once("finish", () => req.socket.destroySoon());
      return;
    }
    if (body === "aborted") return;
    const result = verifyWebhook(
      target.type,
      { headers: req.headers, rawBody: body },
      target.token,
      target.events,
    );
    if (!result.ok) {
      log.info({ status: result.status, reason: result.reason }, "webhook rejected");
      sendText(res, result.status, result.status === 401 ? "unauthorized" : "bad request");
      return;
    }
    sendText(res, 200, "ok");
    log.info({ event: result.event, reconcile: result.reconcile }, "webhook accepted");
    if (!result.reconcile) return;
    const event: AcceptedEvent = {};
    if (result.event !== undefined) event.event = result.event;
    if (result.images !== undefined) event.images = result.images;
    this.dispatch(target, event, log);
  }

  private dispatch(target: ReceiverTarget, event: AcceptedEvent, log: Logger): void {
    const work = (async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.options.onAccepted(target, event);
    })().catch((err: unknown) => log.error({ err }, "handling an accepted webhook failed"));
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }
}

/** The raw body, or "too-large" as soon as it is known to exceed `limit` (nothing more is read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large" | "aborted"> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve("too-large");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (value: Buffer | "too-large" | "aborted"): void => {
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

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...headers,
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text) + 1),
    "Cache-Control": "no-store",
  });
  res.end(`${text}\n`);
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
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

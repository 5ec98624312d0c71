/**
 * The webhook receiver HTTP server, as notification-controller's (port 9292), independent of
 * Kubernetes: the caller maps a webhook path to a Receiver (`lookup`) and is told about accepted
 * calls (`onAccepted`), which it turns into reconcile requests.
 *
 * POST only. An unknown path is a bare 404, whatever receivers exist. The body is read raw, up to
 * `maxBodyBytes` (413 past it, the rest left unread and the connection closed), then verified for
 * the Receiver's type; failures get a short generic answer, with the reason only in the log. A
 * verified call is answered 200 at once; `onAccepted` runs afterwards, its errors logged, and
 * closing the server waits for it. Bodies, tokens, header values and webhook paths (which are
 * secrets: knowing one is enough to call it) are never logged.
 */
import { readBody, sendPayloadTooLarge } from "../../http/body.ts";
import { sendText } from "../../http/respond.ts";
import { Router, type RequestContext } from "../../http/router.ts";
import { HttpServer, type HttpLimits } from "../../http/server.ts";
import { receiverWebhookPrefix } from "../../controllers/receiver/webhook-path.ts";
import type { ReceiverTarget } from "../../controllers/receiver/registry.ts";
import { silentLogger, type Logger } from "../../runtime/logger.ts";
import { verifyWebhook, type RegistryImage } from "./verify.ts";

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
  limits?: Partial<HttpLimits>;
  logger?: Logger;
}

export const defaultMaxBodyBytes = 1024 * 1024;

const noStore = { "Cache-Control": "no-store" };

export function receiverServer(options: ReceiverServerOptions): HttpServer {
  const inFlight = new Set<Promise<void>>();
  const handler = new Handler(options, options.logger ?? silentLogger(), inFlight);
  const router = new Router({ headers: noStore }).on("POST", "/*", (ctx) => handler.handle(ctx));
  return new HttpServer({
    ...options,
    name: "receivers",
    router,
    redactPath,
    drain: async () => {
      await Promise.allSettled([...inFlight]);
    },
  });
}

/** `/hook/<redacted>`: a webhook path is as secret as the token it is derived from. */
function redactPath(path: string): string {
  return path.startsWith(receiverWebhookPrefix) ? `${receiverWebhookPrefix}<redacted>` : "<redacted>";
}

class Handler {
  readonly #options: ReceiverServerOptions;
  readonly #logger: Logger;
  readonly #inFlight: Set<Promise<void>>;
  readonly #maxBodyBytes: number;

  constructor(options: ReceiverServerOptions, logger: Logger, inFlight: Set<Promise<void>>) {
    this.#options = options;
    this.#logger = logger;
    this.#inFlight = inFlight;
    this.#maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  }

  async handle({ req, res }: RequestContext): Promise<void> {
    const target = this.#options.lookup(req.url ?? "");
    if (target === undefined) {
      sendText(res, 404, "not found", noStore);
      return;
    }
    const log = this.#logger.child({ kind: "Receiver", namespace: target.namespace, name: target.name });
    const body = await readBody(req, this.#maxBodyBytes);
    if (body === "too-large") {
      log.info("webhook rejected: body too large");
      sendPayloadTooLarge(req, res, noStore);
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
      sendText(res, result.status, result.status === 401 ? "unauthorized" : "bad request", noStore);
      return;
    }
    sendText(res, 200, "ok", noStore);
    log.info({ event: result.event, reconcile: result.reconcile }, "webhook accepted");
    if (!result.reconcile) return;
    const event: AcceptedEvent = {};
    if (result.event !== undefined) event.event = result.event;
    if (result.images !== undefined) event.images = result.images;
    this.#dispatch(target, event, log);
  }

  #dispatch(target: ReceiverTarget, event: AcceptedEvent, log: Logger): void {
    const work = (async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.#options.onAccepted(target, event);
    })().catch((err: unknown) => log.error({ err }, "handling an accepted webhook failed"));
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }
}

/**
 * Routes requests to handlers by method and path, on find-my-way (see docs/adr/0008-http-layer.md).
 * Paths are find-my-way patterns: `/exact`, `/builds/:id`, `/*` (anything below). A path served
 * under other methods only is answered 405 with `Allow`; a path served under none, 404.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import FindMyWay from "find-my-way";
import { sendText } from "./respond.ts";

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** the route's `:name` and `*` parameters, percent-decoded */
  params: Readonly<Record<string, string | undefined>>;
  /**
   * Aborted when the server begins to shut down: long-lived answers (server-sent events, log
   * streams) end on it so that a graceful close need not wait for its deadline.
   */
  closing: AbortSignal;
}

export type RouteHandler = (ctx: RequestContext) => Promise<void> | void;

export interface RouterOptions {
  /** headers added to the router's own 404 and 405 answers */
  headers?: Record<string, string>;
}

export interface Route {
  handler: RouteHandler;
  params: Readonly<Record<string, string | undefined>>;
}

const allMethods: readonly Method[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

export class Router {
  readonly #routes = FindMyWay();
  readonly #methods = new Set<Method>();
  readonly #headers: Record<string, string>;

  constructor(options: RouterOptions = {}) {
    this.#headers = options.headers ?? {};
  }

  on(methods: Method | readonly Method[], path: string, handler: RouteHandler): this {
    const list = typeof methods === "string" ? [methods] : methods;
    for (const method of list) this.#methods.add(method);
    this.#routes.on([...list], path, () => undefined, handler);
    return this;
  }

  /** The handler for a request target (query string ignored): a route, or a 405/404 answer. */
  resolve(method: string | undefined, target: string): Route {
    const found = this.#find(method, target);
    if (found) return found;
    const allowed = allMethods.filter((m) => m !== method && this.#find(m, target));
    if (allowed.length > 0) {
      const allow = allowed.join(", ");
      return {
        handler: ({ res }) => sendText(res, 405, "method not allowed", { ...this.#headers, Allow: allow }),
        params: {},
      };
    }
    return { handler: ({ res }) => sendText(res, 404, "not found", this.#headers), params: {} };
  }

  #find(method: string | undefined, target: string): Route | undefined {
    if (!this.#methods.has(method as Method)) return undefined;
    const found = this.#routes.find(method as Method, target);
    return found ? { handler: found.store as RouteHandler, params: found.params } : undefined;
  }
}

import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Captured {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers one request; return nothing to answer 200 `{}`. */
export type Responder = (req: Captured, res: ServerResponse) => void | Promise<void>;

/**
 * A local stand-in for the external service (Slack, GitHub, ...): records every request and answers
 * from a script of responders (one per request, then the fallback).
 */
export class TestReceiver {
  readonly requests: Captured[] = [];
  readonly #script: Responder[] = [];
  fallback: Responder = (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  };
  readonly #server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const captured: Captured = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      this.requests.push(captured);
      const responder = this.#script.shift() ?? this.fallback;
      Promise.resolve(responder(captured, res)).then(
        () => {
          if (!res.headersSent) res.writeHead(200, { "content-type": "application/json" }).end("{}");
        },
        () => res.destroy(),
      );
    });
  });

  /** Responders for the next requests, in order. */
  then(...responders: Responder[]): this {
    this.#script.push(...responders);
    return this;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  posts(): Captured[] {
    return this.requests.filter((r) => r.method === "POST");
  }
}

export function status(code: number, body = "", headers: Record<string, string> = {}): Responder {
  return (_req, res) => {
    res.writeHead(code, headers).end(body);
  };
}

export function json(value: unknown, code = 200): Responder {
  return (_req, res) => {
    res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(value));
  };
}

/** Waits `ms` or until the client goes away (so a stopped test leaves no timer behind). */
export function stall(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    res.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, request } from "undici";

/**
 * For tests: an HTTP forwarder in front of a real registry that records when each request
 * arrives and how many are in flight, and can answer in the registry's place (to inject a 429).
 * With `paginateTags` it serves tag lists in pages of `n` with `Link` headers, as Docker Hub and
 * GHCR do (the Distribution 2.8 registry ignores `n` for tags and answers with every tag at once).
 * When the registry cannot be reached it drops the client's connection, as a TCP proxy would.
 */
export interface RecordingProxy {
  /** host:port to give the client instead of the registry's. */
  host: string;
  /** performance.now() of each request's arrival. */
  readonly arrivals: number[];
  readonly paths: string[];
  /** The most requests in flight at once. */
  readonly maxInFlight: number;
  /** When set and returning an answer, the proxy sends it instead of forwarding. */
  fault: ((req: IncomingMessage) => InjectedAnswer | undefined) | undefined;
  paginateTags: boolean;
  close(): Promise<void>;
}

export interface InjectedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "host", "upgrade"]);

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const proxy = new Forwarder(target);
  await proxy.listen();
  return proxy;
}

class Forwarder implements RecordingProxy {
  host = "";
  readonly arrivals: number[] = [];
  readonly paths: string[] = [];
  maxInFlight = 0;
  fault: ((req: IncomingMessage) => InjectedAnswer | undefined) | undefined;
  paginateTags = false;
  #inFlight = 0;
  readonly #target: string;
  readonly #upstream = new Agent({ keepAliveTimeout: 10_000 });
  readonly #server = createServer((req, res) => this.#onRequest(req, res));

  constructor(target: string) {
    this.#target = target;
  }

  async listen(): Promise<void> {
    this.#server.listen(0, "127.0.0.1");
    await once(this.#server, "listening");
    this.host = `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await this.#upstream.close();
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.arrivals.push(performance.now());
    this.paths.push(`${req.method} ${req.url}`);
    this.#inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
    res.on("close", () => this.#inFlight--);
    this.#answer(req, res).catch(() => res.destroy());
  }

  async #answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const injected = this.fault?.(req);
    if (injected) {
      res.writeHead(injected.status, injected.headers ?? {});
      res.end(injected.body ?? "");
      return;
    }
    const url = new URL(req.url ?? "/", "http://proxy");
    const tagList = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (this.paginateTags && tagList && url.searchParams.has("n"))
      return this.#servePage(req, res, url, tagList[1]!);
    return this.#forward(req, res);
  }

  async #forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name, value]) => !hopByHop.has(name) && value !== undefined),
    ) as Record<string, string | string[]>;
    const answer = await request(`http://${this.#target}${req.url ?? "/"}`, {
      method: req.method as "GET",
      headers,
      dispatcher: this.#upstream,
    });
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (!hopByHop.has(name) && value !== undefined) out[name] = value;
    }
    res.writeHead(answer.statusCode, out);
    for await (const chunk of answer.body) res.write(chunk);
    res.end();
  }

  async #servePage(req: IncomingMessage, res: ServerResponse, url: URL, repository: string): Promise<void> {
    const answer = await request(`http://${this.#target}/v2/${repository}/tags/list`, {
      headers: req.headers.authorization ? { authorization: req.headers.authorization } : {},
      dispatcher: this.#upstream,
    });
    const body = (await answer.body.json()) as { name: string; tags: string[] | null };
    if (answer.statusCode !== 200) {
      res.writeHead(answer.statusCode, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
      return;
    }
    const all = [...(body.tags ?? [])].sort();
    const last = url.searchParams.get("last");
    const n = Number(url.searchParams.get("n"));
    const start = last === null ? 0 : all.findIndex((tag) => tag > last);
    const page = start === -1 ? [] : all.slice(start, start + n);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (start !== -1 && start + n < all.length) {
      const next = new URLSearchParams({ n: String(n), last: page[page.length - 1]! });
      headers["link"] = `</v2/${repository}/tags/list?${next.toString()}>; rel="next"`;
    }
    res.writeHead(200, headers);
    res.end(JSON.stringify({ name: body.name, tags: page }));
  }
}

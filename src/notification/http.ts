import { Agent, ProxyAgent, request, type Dispatcher } from "undici";
import { parseRetryAfter } from "../common/http-retry.ts";
import { NotificationError, maskSecrets } from "./errors.ts";
import type { SendConfig } from "./types.ts";

export interface HttpCall {
  method: "GET" | "POST";
  url: URL;
  headers?: Record<string, string>;
  /** JSON-serialized by the caller so signatures cover the exact bytes */
  body?: string;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

/** Statuses worth another attempt. */
const retryableStatuses: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);
const maxBodyBytes = 64 * 1024;
const agents = new Map<string, Dispatcher>();

/** One HTTP agent per (proxy, CA) pair, reused across sends. */
function dispatcherFor(config: SendConfig): Dispatcher {
  if (config.httpDispatcher) return config.httpDispatcher;
  const key = JSON.stringify([config.proxy ?? "", config.ca ?? ""]);
  let agent = agents.get(key);
  if (!agent) {
    const tls = config.ca ? { ca: config.ca } : undefined;
    agent = config.proxy
      ? new ProxyAgent({ uri: config.proxy, ...(tls ? { requestTls: tls, proxyTls: tls } : {}) })
      : new Agent({ keepAliveTimeout: 10_000, ...(tls ? { connect: tls } : {}) });
    agents.set(key, agent);
  }
  return agent;
}

/** Closes the shared HTTP agents (at shutdown). */
export async function closeHttpAgents(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.allSettled(all.map((a) => a.close()));
}

/**
 * One HTTP exchange with the config's timeout, proxy and CA. Resolves with any 2xx answer; rejects
 * with a NotificationError (retryable for network errors, timeouts, 408/425/429/5xx) whose message
 * names the provider and status but never the address, token or proxy.
 */
export async function call(provider: string, config: SendConfig, req: HttpCall): Promise<HttpAnswer> {
  const secrets = [config.token, config.address, config.proxy, ...Object.values(config.headers ?? {})];
  const timeout = AbortSignal.timeout(config.timeoutMs);
  const signal = config.signal ? AbortSignal.any([timeout, config.signal]) : timeout;
  let status: number;
  let headers: Record<string, string | string[] | undefined>;
  let body: string;
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: {
        "user-agent": "sluice-notification",
        ...(req.body !== undefined ? { "content-type": "application/json" } : {}),
        ...req.headers,
      },
      ...(req.body !== undefined ? { body: req.body } : {}),
      dispatcher: dispatcherFor(config),
      signal,
    });
    status = res.statusCode;
    headers = res.headers;
    body = await readCapped(res.body);
  } catch (err) {
    if (config.signal?.aborted) {
      throw new NotificationError({ reason: "Aborted", provider, message: `${provider}: send cancelled` });
    }
    if (timeout.aborted) {
      throw new NotificationError({
        reason: "Timeout",
        provider,
        retryable: true,
        message: `${provider}: no answer within ${config.timeoutMs} ms`,
      });
    }
    const detail = err instanceof Error ? ((err as { code?: string }).code ?? err.message) : String(err);
    throw new NotificationError({
      reason: "Network",
      provider,
      retryable: true,
      message: maskSecrets(`${provider}: request failed: ${detail}`, secrets),
    });
  }
  if (status >= 200 && status < 300) return { status, body };
  const retryAfter = header(headers, "retry-after");
  const retryAfterMs = parseRetryAfter(retryAfter);
  const snippet = body.replace(/\s+/g, " ").trim().slice(0, 200);
  throw new NotificationError({
    reason: "HttpStatus",
    provider,
    status,
    retryable: retryableStatuses.has(status),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    message: maskSecrets(
      `${provider}: ${req.method} answered ${status}${snippet ? `: ${snippet}` : ""}`,
      secrets,
    ),
  });
}

/** POSTs a JSON body (already serialized, or an object to serialize). */
export function postJson(
  provider: string,
  config: SendConfig,
  url: URL,
  body: unknown,
  headers?: Record<string, string>,
): Promise<HttpAnswer> {
  return call(provider, config, {
    method: "POST",
    url,
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(headers ? { headers } : {}),
  });
}

/** Parses the address as an absolute http(s) URL; the error does not repeat the address. */
export function parseAddress(provider: string, address: string): URL {
  let url: URL;
  try {
    url = new URL(address.trim());
  } catch {
    throw new NotificationError({
      reason: "InvalidConfig",
      provider,
      message: `${provider}: invalid address`,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new NotificationError({
      reason: "InvalidConfig",
      provider,
      message: `${provider}: address must be an http(s) URL`,
    });
  }
  return url;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBodyBytes) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, maxBodyBytes).toString("utf8");
}

import type { IncomingHttpHeaders } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { request, type Dispatcher } from "undici";
import { RegistryError } from "./errors.ts";
import { backoffDelay, parseRetryAfter, retryableStatuses } from "../common/http-retry.ts";

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HttpRequest {
  method: HttpMethod;
  url: URL;
  headers?: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal | undefined;
  /**
   * Consumes a 200 answer's body as it streams (a blob written to a file) instead of buffering it;
   * called afresh, from the first byte, on every attempt. The response's `body` is then empty.
   */
  sink?: BodySink | undefined;
}

export type BodySink = (body: AsyncIterable<Buffer>) => Promise<void>;

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  url: URL;
}

/**
 * Admission for every HTTP request a client sends (rate limits, concurrency caps, counting).
 * `acquire` resolves once the request may go out and returns the function that ends it; it
 * rejects with the signal's reason when the caller gives up waiting.
 */
export interface RequestGate {
  acquire(registry: string, signal?: AbortSignal): Promise<() => void>;
}

export interface TransportOptions {
  /** Registry name used in error messages. */
  registry: string;
  /** Every attempt, token fetches included, waits here first and holds its place until answered. */
  gate?: RequestGate | undefined;
  dispatcher: Dispatcher;
  timeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the call fails with `retryAfterMs` set. */
  maxRetryDelayMs: number;
  userAgent: string;
  maxResponseBytes: number;
}

/** One HTTP exchange with timeouts, bounded retries and backoff; knows nothing about auth. */
export class Transport {
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
  }

  /** Returns the final response whatever its status; throws only when no response came. */
  async send(req: HttpRequest, operation: string): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.#attempt(req, operation);
      const lastAttempt = attempt >= this.#options.maxRetries;
      if (outcome instanceof RegistryError) {
        if (lastAttempt) throw outcome;
        await this.#pause(
          backoffDelay(attempt, this.#options.retryBaseDelayMs, this.#options.maxRetryDelayMs),
          req,
        );
        continue;
      }
      const delay = this.#retryDelay(outcome, attempt);
      if (lastAttempt || delay === undefined) return outcome;
      await this.#pause(delay, req);
    }
  }

  #retryDelay(response: HttpResponse, attempt: number): number | undefined {
    if (!retryableStatuses.has(response.status)) return undefined;
    const retryAfter = parseRetryAfter(headerValue(response.headers, "retry-after"));
    if (retryAfter !== undefined && retryAfter > this.#options.maxRetryDelayMs) return undefined;
    return retryAfter ?? backoffDelay(attempt, this.#options.retryBaseDelayMs, this.#options.maxRetryDelayMs);
  }

  async #pause(ms: number, req: HttpRequest): Promise<void> {
    await sleep(ms, undefined, req.signal ? { signal: req.signal } : {});
  }

  /** One try: a response, or a RegistryError for a network failure or timeout (worth retrying). */
  async #attempt(req: HttpRequest, operation: string): Promise<HttpResponse | RegistryError> {
    const release = await this.#options.gate?.acquire(this.#options.registry, req.signal);
    try {
      return await this.#exchange(req, operation);
    } finally {
      release?.();
    }
  }

  async #exchange(req: HttpRequest, operation: string): Promise<HttpResponse | RegistryError> {
    const timeout = AbortSignal.timeout(this.#options.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    try {
      const response = await request(req.url, {
        method: req.method,
        headers: { "user-agent": this.#options.userAgent, ...req.headers },
        body: req.body ?? null,
        dispatcher: this.#options.dispatcher,
        signal,
      });
      const body =
        req.sink && response.statusCode === 200
          ? await req.sink(response.body).then(() => Buffer.alloc(0))
          : await readLimited(response.body, this.#options.maxResponseBytes, req.method);
      return { status: response.statusCode, headers: response.headers, body, url: req.url };
    } catch (error) {
      if (req.signal?.aborted) throw req.signal.reason;
      if (error instanceof ResponseTooLargeError) {
        throw new RegistryError({
          registry: this.#options.registry,
          operation,
          reason: "invalid-response",
          cause: error,
        });
      }
      return this.#failure(error, timeout.aborted, operation);
    }
  }

  #failure(error: unknown, timedOut: boolean, operation: string): RegistryError {
    const registry = this.#options.registry;
    if (timedOut) {
      const cause = new Error(`no answer within ${this.#options.timeoutMs}ms`);
      return new RegistryError({ registry, operation, reason: "timeout", cause });
    }
    const hint = "check that the registry is running and reachable from here";
    return new RegistryError({ registry, operation, reason: "network", hint, cause: networkCause(error) });
  }
}

class ResponseTooLargeError extends Error {}

async function readLimited(body: AsyncIterable<Buffer>, limit: number, method: HttpMethod): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > limit) throw new ResponseTooLargeError(`${method} response larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** undici reports "fetch failed"-style wrappers; the code of the innermost cause says what happened. */
function networkCause(error: unknown): Error {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const base = current instanceof Error ? current : new Error(String(current));
  const code = (base as { code?: unknown }).code;
  return typeof code === "string" && !base.message.includes(code)
    ? new Error(`${base.message} (${code})`)
    : base;
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function headerValues(headers: IncomingHttpHeaders, name: string): string[] {
  const value = headers[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

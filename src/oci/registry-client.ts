import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { open, readFile, rm } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { Agent, type Dispatcher } from "undici";
import { z } from "zod";
import { RegistryAuth, unauthorizedHint, type Credentials } from "./auth.ts";
import { sha256Digest } from "./digest.ts";
import { hintForCode, parseErrorBody, RegistryError, type RegistryErrorEntry } from "./errors.ts";
import { nextLink } from "./link-header.ts";
import { manifestMediaTypes } from "./media-types.ts";
import {
  isValidDigest,
  isValidRegistry,
  isValidRepository,
  isValidTag,
  normaliseRegistry,
  registryApiHost,
  speaksPlainHttp,
} from "./reference.ts";
import { parseRetryAfter } from "../common/http-retry.ts";
import {
  headerValue,
  headerValues,
  Transport,
  type HttpMethod,
  type HttpResponse,
  type BodySink,
  type RequestGate,
} from "./transport.ts";

export type { Credentials } from "./auth.ts";
export type { RequestGate } from "./transport.ts";

export interface RegistryClientOptions {
  /** "ghcr.io", "localhost:5000", "docker.io" (served from registry-1.docker.io). */
  host: string;
  /** Speak plain HTTP (loopback registries always do, see `speaksPlainHttp`). */
  insecure?: boolean;
  credentials?: Credentials;
  /** Per HTTP request, including reading the answer. Default 30 s. */
  timeoutMs?: number;
  /** Extra attempts after a 429/502/503/504 or a network failure. Default 4. */
  maxRetries?: number;
  retryBaseDelayMs?: number;
  /** Longest wait between attempts, also the longest `Retry-After` honoured. Default 30 s. */
  maxRetryDelayMs?: number;
  userAgent?: string;
  /** Share a connection pool; by default the client owns one and `close()` ends it. */
  dispatcher?: Dispatcher;
  /** Every HTTP request (token fetches and retries included) passes this gate first. */
  gate?: RequestGate;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface ListOptions extends CallOptions {
  /** Entries per request (`n`). Default 100. */
  pageSize?: number;
  /** Give up (with an error) rather than follow more pages than this. Default 1000. */
  maxPages?: number;
}

export interface ManifestDescriptor {
  digest: string;
  mediaType: string;
  size: number;
}

export interface FetchedManifest extends ManifestDescriptor {
  bytes: Buffer;
}

export interface PushedBlob {
  digest: string;
  size: number;
  /** False when the registry already had the blob, or mounted it from another repository. */
  uploaded: boolean;
  mounted?: boolean;
}

/** A blob in a file, with the digest and size it must have. */
export interface BlobFile {
  digest: string;
  size: number;
  file: string;
}

export interface PushBlobOptions extends CallOptions {
  /** A repository of the same registry that may hold the blob: it is mounted rather than uploaded. */
  mountFrom?: string;
  /** Blobs bigger than this go up in chunks of this size. Default 16 MiB. */
  chunkSize?: number;
}

export const TagList = z.object({
  name: z.string().optional(),
  tags: z.array(z.string()).nullish(),
});
export type TagList = z.infer<typeof TagList>;

export const Catalog = z.object({
  repositories: z.array(z.string()).nullish(),
});
export type Catalog = z.infer<typeof Catalog>;

interface Listing extends ListOptions {
  operation: string;
  path: string;
  scope: string;
  items: (json: unknown) => string[];
}

interface Page {
  items: string[];
  link: URL | undefined;
}

interface Call extends CallOptions {
  operation: string;
  method: HttpMethod;
  url: URL;
  scope?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  sink?: BodySink;
  expect: readonly number[];
  /** Code reported for a 404 without an error body (HEAD answers have none). */
  notFoundCode?: string;
}

const defaults = {
  timeoutMs: 30_000,
  maxRetries: 4,
  retryBaseDelayMs: 250,
  maxRetryDelayMs: 30_000,
  userAgent: "sluice",
  pageSize: 100,
  maxPages: 1000,
  maxResponseBytes: 16 * 1024 * 1024,
  chunkSize: 16 * 1024 * 1024,
};

/** A client for one registry, speaking the OCI distribution API. */
export class RegistryClient {
  /** The registry as named in messages: "docker.io", "localhost:5000". */
  readonly registry: string;
  readonly #baseUrl: URL;
  readonly #transport: Transport;
  readonly #auth: RegistryAuth;
  readonly #ownedAgent: Dispatcher | undefined;

  constructor(options: RegistryClientOptions) {
    this.registry = normaliseRegistry(options.host);
    if (!isValidRegistry(this.registry)) {
      throw new Error(`invalid registry host ${JSON.stringify(options.host)}: expected host or host:port`);
    }
    const insecure = speaksPlainHttp(this.registry, options.insecure);
    this.#baseUrl = new URL(`${insecure ? "http" : "https"}://${registryApiHost(this.registry)}`);
    const dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000 });
    this.#ownedAgent = options.dispatcher ? undefined : dispatcher;
    this.#transport = new Transport({
      registry: this.registry,
      dispatcher,
      timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
      maxRetries: options.maxRetries ?? defaults.maxRetries,
      retryBaseDelayMs: options.retryBaseDelayMs ?? defaults.retryBaseDelayMs,
      maxRetryDelayMs: options.maxRetryDelayMs ?? defaults.maxRetryDelayMs,
      userAgent: options.userAgent ?? defaults.userAgent,
      maxResponseBytes: defaults.maxResponseBytes,
      gate: options.gate,
    });
    this.#auth = new RegistryAuth({
      registry: this.registry,
      transport: this.#transport,
      credentials: options.credentials,
      insecure,
    });
  }

  /** Checks that the registry speaks the distribution API and accepts our credentials. */
  async ping(options: CallOptions = {}): Promise<void> {
    await this.#call({
      ...options,
      operation: "checking the API",
      method: "GET",
      url: this.#url("/v2/"),
      expect: [200],
    });
  }

  /** Every tag of the repository, each once, following pagination. */
  async listTags(repository: string, options: ListOptions = {}): Promise<string[]> {
    checkRepository(repository);
    return this.#listAll({
      operation: `listing tags of ${repository}`,
      path: `/v2/${repository}/tags/list`,
      scope: pullScope(repository),
      items: (json) => TagList.parse(json).tags ?? [],
      ...options,
    });
  }

  /** Deletes a manifest (and so every tag naming it); the registry must allow deletes. */
  async deleteManifest(repository: string, digest: string, options: CallOptions = {}): Promise<void> {
    checkRepository(repository);
    if (!isValidDigest(digest)) throw new Error(`deleting from ${repository}: ${digest} is not a digest`);
    await this.#call({
      ...options,
      operation: `deleting manifest ${repository}@${digest}`,
      method: "DELETE",
      url: this.#url(`/v2/${repository}/manifests/${digest}`),
      scope: `repository:${repository}:delete`,
      expect: [202],
      notFoundCode: "MANIFEST_UNKNOWN",
    });
  }

  /** Every repository of the registry (`/v2/_catalog`), each once, following pagination. */
  async listRepositories(options: ListOptions = {}): Promise<string[]> {
    return this.#listAll({
      operation: "listing repositories",
      path: "/v2/_catalog",
      scope: "registry:catalog:*",
      items: (json) => Catalog.parse(json).repositories ?? [],
      ...options,
    });
  }

  /** Digest, media type and size of a manifest, without downloading it. */
  async headManifest(
    repository: string,
    reference: string,
    options: CallOptions = {},
  ): Promise<ManifestDescriptor> {
    checkRepository(repository);
    checkManifestReference(reference);
    const response = await this.#call({
      ...options,
      operation: `looking up manifest ${repository}:${reference}`,
      method: "HEAD",
      url: this.#url(`/v2/${repository}/manifests/${reference}`),
      scope: pullScope(repository),
      headers: { accept: manifestMediaTypes.join(", ") },
      expect: [200],
      notFoundCode: "MANIFEST_UNKNOWN",
    });
    return this.#manifestDescriptor(response, repository, reference, options);
  }

  /** A manifest's bytes; by digest, the bytes are checked against it. */
  async getManifest(
    repository: string,
    reference: string,
    options: CallOptions = {},
  ): Promise<FetchedManifest> {
    checkRepository(repository);
    checkManifestReference(reference);
    const operation = `fetching manifest ${repository}:${reference}`;
    const response = await this.#call({
      ...options,
      operation,
      method: "GET",
      url: this.#url(`/v2/${repository}/manifests/${reference}`),
      scope: pullScope(repository),
      headers: { accept: manifestMediaTypes.join(", ") },
      expect: [200],
      notFoundCode: "MANIFEST_UNKNOWN",
    });
    const digest = sha256Digest(response.body);
    if (isValidDigest(reference) && reference !== digest) {
      throw this.#invalid(operation, `the manifest's digest is ${digest}, not ${reference}`);
    }
    this.#checkReturnedDigest(response, digest, operation);
    const { mediaType } = this.#parseJson(
      response,
      z.object({ mediaType: z.string().optional() }),
      operation,
    );
    const headerType = headerValue(response.headers, "content-type")?.split(";")[0]?.trim();
    const type = mediaType ?? headerType;
    if (!type) throw this.#invalid(operation, "the manifest has no media type");
    return { digest, mediaType: type, size: response.body.length, bytes: response.body };
  }

  /**
   * Streams a blob into `file` (replaced), following a redirect to its storage without our
   * credentials, and checks its digest and size; a mismatch leaves no file behind.
   */
  async fetchBlob(
    repository: string,
    blob: { digest: string; size: number },
    file: string,
    options: CallOptions = {},
  ): Promise<void> {
    checkRepository(repository);
    const operation = `fetching blob ${blob.digest} from ${repository}`;
    if (!blob.digest.startsWith("sha256:") || !isValidDigest(blob.digest)) {
      throw new Error(`${operation}: only sha256 digests can be verified`);
    }
    let written = { digest: "", size: 0 };
    const sink: BodySink = async (body) => {
      written = await writeHashed(body, file);
    };
    const call = { ...options, operation, method: "GET" as const, scope: pullScope(repository), sink };
    const redirects = [301, 302, 303, 307, 308];
    const response = await this.#call({
      ...call,
      url: this.#url(`/v2/${repository}/blobs/${blob.digest}`),
      expect: [200, ...redirects],
      notFoundCode: "BLOB_UNKNOWN",
    });
    const location = headerValue(response.headers, "location");
    if (redirects.includes(response.status)) {
      if (!location) throw this.#invalid(operation, "a redirect without a Location");
      await this.#call({ ...call, url: new URL(location, response.url), expect: [200] });
    }
    if (written.digest !== blob.digest || written.size !== blob.size) {
      await rm(file, { force: true });
      throw this.#invalid(
        operation,
        `received ${written.size} bytes with digest ${written.digest}, expected ${blob.size} bytes`,
      );
    }
  }

  async blobExists(repository: string, digest: string, options: CallOptions = {}): Promise<boolean> {
    checkRepository(repository);
    const response = await this.#call({
      ...options,
      operation: `checking blob ${digest} in ${repository}`,
      method: "HEAD",
      url: this.#url(`/v2/${repository}/blobs/${digest}`),
      scope: pullScope(repository),
      expect: [200, 404],
    });
    return response.status === 200;
  }

  /** Uploads a blob unless the repository already has it (or can mount it, see `pushBlobFile`). */
  async pushBlob(repository: string, bytes: Buffer, options: PushBlobOptions = {}): Promise<PushedBlob> {
    const digest = sha256Digest(bytes);
    const size = bytes.length;
    if (await this.blobExists(repository, digest, options)) return { digest, size, uploaded: false };
    const location = await this.#startUpload(repository, digest, options);
    if (!location) return { digest, size, uploaded: false, mounted: true };
    await this.#finishUpload(repository, location, digest, bytes, options);
    return { digest, size, uploaded: true };
  }

  /**
   * Uploads a blob from a file unless the repository has it: mounted from `mountFrom` (another
   * repository of this registry) when the registry can, else in one request, or in chunks of
   * `chunkSize` bytes when bigger (never the whole file in memory). The registry checks the digest.
   */
  async pushBlobFile(repository: string, blob: BlobFile, options: PushBlobOptions = {}): Promise<PushedBlob> {
    const { digest, size } = blob;
    if (await this.blobExists(repository, digest, options)) return { digest, size, uploaded: false };
    const location = await this.#startUpload(repository, digest, options);
    if (!location) return { digest, size, uploaded: false, mounted: true };
    const chunkSize = options.chunkSize ?? defaults.chunkSize;
    if (size <= chunkSize) {
      await this.#finishUpload(repository, location, digest, await readFile(blob.file), options);
    } else {
      const last = await this.#uploadChunks(repository, location, blob, chunkSize, options);
      await this.#finishUpload(repository, last, digest, Buffer.alloc(0), options);
    }
    return { digest, size, uploaded: true };
  }

  /** Stores a manifest under a tag (or its own digest) and returns its digest. */
  async pushManifest(
    repository: string,
    reference: string,
    manifest: Buffer,
    mediaType: string,
    options: CallOptions = {},
  ): Promise<string> {
    checkRepository(repository);
    checkManifestReference(reference);
    const digest = sha256Digest(manifest);
    const operation = `pushing manifest ${repository}:${reference}`;
    if (isValidDigest(reference) && reference !== digest) {
      throw new Error(`${operation}: the manifest's digest is ${digest}, not ${reference}`);
    }
    const response = await this.#call({
      ...options,
      operation,
      method: "PUT",
      url: this.#url(`/v2/${repository}/manifests/${reference}`),
      scope: pushScope(repository),
      headers: { "content-type": mediaType },
      body: manifest,
      expect: [201],
    });
    this.#checkReturnedDigest(response, digest, operation);
    return digest;
  }

  /** Closes the connection pool the client owns; a shared dispatcher is left open. */
  async close(): Promise<void> {
    await this.#ownedAgent?.close();
  }

  async #listAll(listing: Listing): Promise<string[]> {
    const pageSize = listing.pageSize ?? defaults.pageSize;
    const maxPages = listing.maxPages ?? defaults.maxPages;
    if (!Number.isInteger(pageSize) || pageSize < 1)
      throw new Error(`pageSize must be a positive integer, got ${pageSize}`);
    const found = new Set<string>();
    const visited = new Set<string>();
    let url: URL | undefined = this.#url(listing.path, { n: String(pageSize) });
    let linked = false;
    while (url) {
      if (visited.size >= maxPages) throw this.#invalid(listing.operation, `more than ${maxPages} pages`);
      visited.add(url.href);
      const page = await this.#listPage(listing, url);
      const added = page.items.filter((item) => !found.has(item));
      for (const item of added) found.add(item);
      url = nextPage(page, url, pageSize, added.length, linked);
      linked ||= page.link !== undefined;
      if (url && visited.has(url.href)) {
        throw this.#invalid(listing.operation, `pagination loops back to ${url.pathname}${url.search}`);
      }
    }
    return [...found];
  }

  async #listPage(listing: Listing, url: URL): Promise<Page> {
    const response = await this.#call({
      operation: listing.operation,
      method: "GET",
      url,
      scope: listing.scope,
      headers: { accept: "application/json" },
      expect: [200],
      ...(listing.signal ? { signal: listing.signal } : {}),
    });
    const json = this.#parseJson(response, z.unknown(), listing.operation);
    let items: string[];
    try {
      items = listing.items(json);
    } catch (error) {
      throw this.#invalid(
        listing.operation,
        `unexpected answer: ${error instanceof z.ZodError ? z.prettifyError(error) : String(error)}`,
      );
    }
    return { items, link: nextLink(headerValues(response.headers, "link"), url) };
  }

  async #manifestDescriptor(
    response: HttpResponse,
    repository: string,
    reference: string,
    options: CallOptions,
  ): Promise<ManifestDescriptor> {
    const digest = headerValue(response.headers, "docker-content-digest");
    const mediaType = headerValue(response.headers, "content-type")?.split(";")[0]?.trim();
    const size = Number(headerValue(response.headers, "content-length"));
    if (digest && isValidDigest(digest) && mediaType && Number.isInteger(size))
      return { digest, mediaType, size };
    return this.#manifestDescriptorByGet(repository, reference, options);
  }

  /** Some registries omit headers on HEAD; the manifest itself tells everything. */
  async #manifestDescriptorByGet(
    repository: string,
    reference: string,
    options: CallOptions,
  ): Promise<ManifestDescriptor> {
    const { digest, mediaType, size } = await this.getManifest(repository, reference, options);
    return { digest, mediaType, size };
  }

  /**
   * Opens an upload session and answers where to send the blob; undefined when the registry
   * mounted it from `options.mountFrom` instead (201), so no upload is needed.
   */
  async #startUpload(repository: string, digest: string, options: PushBlobOptions): Promise<URL | undefined> {
    const operation = `starting a blob upload to ${repository}`;
    const from = options.mountFrom;
    if (from !== undefined) checkRepository(from);
    const response = await this.#call({
      ...options,
      operation,
      method: "POST",
      url: this.#url(`/v2/${repository}/blobs/uploads/`, from ? { mount: digest, from } : {}),
      scope: from ? `${pushScope(repository)} ${pullScope(from)}` : pushScope(repository),
      body: Buffer.alloc(0),
      expect: from ? [201, 202] : [202],
    });
    if (response.status === 201) return undefined;
    const location = headerValue(response.headers, "location");
    if (!location) throw this.#invalid(operation, "the registry gave no upload Location");
    return new URL(location, response.url);
  }

  /** PATCHes the file in order, chunk by chunk; each answer names where the next one goes. */
  async #uploadChunks(
    repository: string,
    start: URL,
    blob: BlobFile,
    chunkSize: number,
    options: CallOptions,
  ): Promise<URL> {
    const operation = `uploading blob ${blob.digest} to ${repository} in chunks`;
    const handle = await open(blob.file);
    try {
      let location = start;
      for (let offset = 0; offset < blob.size; offset += chunkSize) {
        const length = Math.min(chunkSize, blob.size - offset);
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(length), 0, length, offset);
        if (bytesRead !== length)
          throw new Error(`${operation}: ${blob.file} is shorter than ${blob.size} bytes`);
        const response = await this.#call({
          ...options,
          operation,
          method: "PATCH",
          url: location,
          scope: pushScope(repository),
          headers: {
            "content-type": "application/octet-stream",
            "content-range": `${offset}-${offset + length - 1}`,
          },
          body: buffer,
          expect: [202],
        });
        const next = headerValue(response.headers, "location");
        if (!next) throw this.#invalid(operation, "the registry gave no Location for the next chunk");
        location = new URL(next, response.url);
      }
      return location;
    } finally {
      await handle.close();
    }
  }

  async #finishUpload(
    repository: string,
    location: URL,
    digest: string,
    bytes: Buffer,
    options: CallOptions,
  ): Promise<void> {
    const url = new URL(location);
    url.searchParams.set("digest", digest);
    const operation = `uploading blob ${digest} to ${repository}`;
    try {
      const response = await this.#call({
        ...options,
        operation,
        method: "PUT",
        url,
        scope: pushScope(repository),
        headers: { "content-type": "application/octet-stream" },
        body: bytes,
        expect: [201],
      });
      this.#checkReturnedDigest(response, digest, operation);
    } catch (error) {
      // A retried PUT whose first attempt succeeded finds its upload session gone.
      const sessionGone = error instanceof RegistryError && error.code === "BLOB_UPLOAD_UNKNOWN";
      if (!sessionGone || !(await this.blobExists(repository, digest, options))) throw error;
    }
  }

  async #call(call: Call): Promise<HttpResponse> {
    const response = await this.#exchange(call);
    if (!call.expect.includes(response.status)) throw this.#httpError(call, response);
    return response;
  }

  /** Sends a request with the current authorization; after a 401 that taught us something, once more. */
  async #exchange(call: Call): Promise<HttpResponse> {
    const sent = await this.#authorizationFor(call);
    const response = await this.#transport.send(this.#httpRequest(call, sent), call.operation);
    if (response.status !== 401 || !this.#sameOrigin(call.url)) return response;
    if (!(await this.#auth.onUnauthorized(response, call.scope, sent, call.signal))) return response;
    const retried = await this.#authorizationFor(call);
    return this.#transport.send(this.#httpRequest(call, retried), call.operation);
  }

  /** Credentials and tokens only ever go to the registry's own origin (not to a foreign Location). */
  async #authorizationFor(call: Call): Promise<string | undefined> {
    return this.#sameOrigin(call.url) ? this.#auth.authorization(call.scope, call.signal) : undefined;
  }

  #httpRequest(call: Call, authorization: string | undefined) {
    const headers = { ...call.headers, ...(authorization ? { authorization } : {}) };
    return {
      method: call.method,
      url: call.url,
      headers,
      signal: call.signal,
      ...(call.body ? { body: call.body } : {}),
      ...(call.sink ? { sink: call.sink } : {}),
    };
  }

  #sameOrigin(url: URL): boolean {
    return url.origin === this.#baseUrl.origin;
  }

  #httpError(call: Call, response: HttpResponse): RegistryError {
    const errors = parseErrorBody(response.body);
    if (errors.length === 0) errors.push(...fallbackErrors(response.status, call.notFoundCode));
    const hint =
      response.status === 401 ? unauthorizedHint(this.#auth.username) : hintForCode(errors[0]?.code);
    const retryAfterMs = parseRetryAfter(headerValue(response.headers, "retry-after"));
    return new RegistryError({
      registry: this.registry,
      operation: call.operation,
      reason: "http",
      status: response.status,
      errors,
      ...(hint !== undefined ? { hint } : {}),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }

  #parseJson<T>(response: HttpResponse, schema: z.ZodType<T>, operation: string): T {
    let json: unknown;
    try {
      json = JSON.parse(response.body.toString("utf8"));
    } catch {
      throw this.#invalid(operation, "the answer is not JSON");
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw this.#invalid(operation, `unexpected answer: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  }

  #checkReturnedDigest(response: HttpResponse, expected: string, operation: string): void {
    const returned = headerValue(response.headers, "docker-content-digest");
    if (returned !== undefined && returned !== expected) {
      throw this.#invalid(operation, `the registry stored digest ${returned}, expected ${expected}`);
    }
  }

  #invalid(operation: string, problem: string): RegistryError {
    return new RegistryError({
      registry: this.registry,
      operation,
      reason: "invalid-response",
      cause: new Error(problem),
    });
  }

  #url(path: string, query: Record<string, string> = {}): URL {
    const url = new URL(path, this.#baseUrl);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url;
  }
}

/**
 * The `Link` header when present. Otherwise a page of exactly `n` items may mean more: ask again
 * after the last one (`last=`), until a page brings nothing new. A page longer than `n` comes from a
 * registry that ignores `n` and so returns everything (Distribution 2.x does for tags).
 */
function nextPage(page: Page, url: URL, pageSize: number, added: number, linked: boolean): URL | undefined {
  if (page.link) return page.link;
  // a registry that paginates with Link headers ends the listing by leaving one out
  if (linked) return undefined;
  const last = page.items[page.items.length - 1];
  if (page.items.length !== pageSize || added === 0 || last === undefined) return undefined;
  const next = new URL(url);
  next.searchParams.set("last", last);
  return next;
}

const codesByStatus: Record<number, string> = { 401: "UNAUTHORIZED", 403: "DENIED", 429: "TOOMANYREQUESTS" };

/** Spec codes for answers without an error body (HEAD requests, proxies). */
function fallbackErrors(status: number, notFoundCode: string | undefined): RegistryErrorEntry[] {
  const code = codesByStatus[status] ?? (status === 404 ? notFoundCode : undefined);
  return code === undefined ? [] : [{ code }];
}

async function writeHashed(
  body: AsyncIterable<Buffer>,
  file: string,
): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  async function* counted() {
    for await (const chunk of body) {
      hash.update(chunk);
      size += chunk.length;
      yield chunk;
    }
  }
  await pipeline(counted(), createWriteStream(file));
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}

function checkRepository(repository: string): void {
  if (!isValidRepository(repository)) {
    throw new Error(
      `invalid repository name ${JSON.stringify(repository)}: lowercase path components separated by '/'`,
    );
  }
}

function checkManifestReference(reference: string): void {
  if (!isValidTag(reference) && !isValidDigest(reference)) {
    throw new Error(`invalid manifest reference ${JSON.stringify(reference)}: expected a tag or a digest`);
  }
}

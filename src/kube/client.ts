import { Agent, request, WebSocket } from "undici";
import type { ClusterAccess } from "./kubeconfig.ts";
import { KubeApiError } from "./errors.ts";
import { splitApiVersion, type KubeList, type KubeObject } from "./objects.ts";

export interface ResourceInfo {
  /** plural resource name, e.g. "deployments" */
  name: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
}

export interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

interface DiscoveryList {
  resources: { name: string; namespaced: boolean; kind: string; verbs: string[] }[];
}

/** A thin Kubernetes API client over undici: typed errors, discovery, CRUD and server-side apply. */
export class KubeClient {
  readonly access: ClusterAccess;
  readonly #agent: Agent;
  /** long-lived streams (watches) get their own unbounded pool so they never starve plain requests */
  readonly #streamAgent: Agent;
  readonly #discovery: Map<string, Promise<DiscoveryList>>;

  /** `shareWith`: use that client's connections and discovery cache instead of opening new ones. */
  constructor(access: ClusterAccess, options: { connections?: number; shareWith?: KubeClient } = {}) {
    this.access = access;
    if (options.shareWith) {
      this.#agent = options.shareWith.#agent;
      this.#streamAgent = options.shareWith.#streamAgent;
      this.#discovery = options.shareWith.#discovery;
      return;
    }
    const connect = {
      ...(access.ca ? { ca: access.ca } : {}),
      ...(access.cert ? { cert: access.cert } : {}),
      ...(access.key ? { key: access.key } : {}),
      rejectUnauthorized: !access.insecureSkipTlsVerify,
    };
    // HTTP/1.1, as undici 7 spoke: undici 8 negotiates HTTP/2 by default, and its idle-session
    // timer can fail a request with "socket idle timeout" when the apiserver's session goes quiet
    this.#agent = new Agent({ connections: options.connections ?? 16, connect, allowH2: false });
    this.#streamAgent = new Agent({ connect, allowH2: false });
    this.#discovery = new Map();
  }

  /** Closes the connections; open streams (watches) are cut rather than awaited, as they may never end. */
  async close(): Promise<void> {
    await Promise.all([this.#agent.close(), this.#streamAgent.destroy()]);
  }

  /** set on clients made by `impersonating` */
  #impersonation: { user: string; groups: string[] } | undefined;

  /**
   * A client acting as `user` (Impersonate-User/-Group headers), sharing this client's connections
   * and discovery cache; close the original, not this one.
   */
  impersonating(user: string, groups: string[] = []): KubeClient {
    const child = new KubeClient(this.access, { shareWith: this });
    child.#impersonation = { user, groups };
    return child;
  }

  /** Acts as a namespace's service account, with the groups the API server gives service accounts. */
  asServiceAccount(namespace: string, name: string): KubeClient {
    const groups = ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"];
    return this.impersonating(`system:serviceaccount:${namespace}:${name}`, groups);
  }

  #headers(contentType?: string): Record<string, string | string[]> {
    const h: Record<string, string | string[]> = { accept: "application/json", "user-agent": "sluice" };
    if (this.access.token) h["authorization"] = `Bearer ${this.access.token}`;
    if (contentType) h["content-type"] = contentType;
    if (this.#impersonation) {
      h["impersonate-user"] = this.#impersonation.user;
      if (this.#impersonation.groups.length) h["impersonate-group"] = this.#impersonation.groups;
    }
    return h;
  }

  #url(path: string, query: RequestOptions["query"]): string {
    const u = new URL(path, this.access.server);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** One HTTP call; a non-2xx answer becomes a KubeApiError with the API's reason and message. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body);
    const res = await request(this.#url(path, options.query), {
      method: method as "GET",
      headers: this.#headers(body === undefined ? undefined : (options.contentType ?? "application/json")),
      body: body ?? null,
      dispatcher: this.#agent,
      signal: options.signal ?? null,
      headersTimeout: options.timeoutMs ?? 30_000,
      bodyTimeout: options.timeoutMs ?? 30_000,
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw apiError(res.statusCode, text, `${method} ${path}`);
    const json = String(res.headers["content-type"] ?? "").includes("json");
    return (json && text ? JSON.parse(text) : text) as T;
  }

  /**
   * A streaming GET (a watch): the response body as it arrives. A non-2xx answer becomes a
   * KubeApiError. `idleTimeoutMs` bounds the silence between two chunks (0 = none).
   */
  async stream(
    path: string,
    options: { query?: RequestOptions["query"]; signal?: AbortSignal; idleTimeoutMs?: number } = {},
  ): Promise<AsyncIterable<Buffer>> {
    const res = await request(this.#url(path, options.query), {
      method: "GET",
      headers: this.#headers(),
      dispatcher: this.#streamAgent,
      signal: options.signal ?? null,
      headersTimeout: 30_000,
      bodyTimeout: options.idleTimeoutMs ?? 0,
    });
    if (res.statusCode >= 300) throw apiError(res.statusCode, await res.body.text(), `GET ${path}`);
    return res.body;
  }

  /** A WebSocket to a streaming subresource (`pods/exec`), over the watches' connections and credentials. */
  websocket(path: string, query: RequestOptions["query"], protocols: string[]): WebSocket {
    const url = new URL(this.#url(path, query));
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    // fetch-style headers join repeated values into one, which would merge Impersonate-Group's
    if (this.#impersonation) throw new Error("a WebSocket cannot carry impersonation headers");
    const { accept: _accept, ...headers } = this.#headers() as Record<string, string>;
    return new WebSocket(url, { protocols, dispatcher: this.#streamAgent, headers });
  }

  /** Resolves apiVersion+kind to its resource through the API's discovery documents (cached). */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const { group } = splitApiVersion(apiVersion);
    const path = group ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let doc = this.#discovery.get(path);
    if (!doc) {
      doc = this.request<DiscoveryList>("GET", path);
      this.#discovery.set(path, doc);
      doc.catch(() => this.#discovery.delete(path));
    }
    const found = (await doc).resources.find((r) => r.kind === kind && !r.name.includes("/"));
    if (!found)
      throw new KubeApiError(404, "NotFound", `the server has no resource for kind ${kind} in ${apiVersion}`);
    return found;
  }

  /** Forgets discovery results, e.g. after CRDs were installed. */
  resetDiscovery(): void {
    this.#discovery.clear();
  }

  async pathFor(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string> {
    const info = await this.resourceFor(apiVersion, kind);
    const { group } = splitApiVersion(apiVersion);
    let p = group ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    if (info.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${info.name}`;
    if (name) p += `/${encodeURIComponent(name)}`;
    return p;
  }

  async get<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
  ): Promise<T> {
    return this.request<T>("GET", await this.pathFor(apiVersion, kind, namespace, name));
  }

  async list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    options: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<KubeList<T>> {
    const query = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
    return this.request<KubeList<T>>("GET", await this.pathFor(apiVersion, kind, options.namespace), {
      query,
    });
  }

  async create<T extends KubeObject>(obj: T): Promise<T> {
    const path = await this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace);
    return this.request<T>("POST", path, { body: obj });
  }

  /** Server-side apply under one field manager. */
  async apply<T extends KubeObject>(
    obj: T,
    options: { fieldManager: string; force?: boolean; dryRun?: boolean; subresource?: "status" },
  ): Promise<T> {
    let path = await this.pathFor(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    if (options.subresource) path += `/${options.subresource}`;
    return this.request<T>("PATCH", path, {
      body: obj,
      contentType: "application/apply-patch+yaml",
      query: {
        fieldManager: options.fieldManager,
        force: options.force || undefined,
        dryRun: options.dryRun ? "All" : undefined,
      },
    });
  }

  async patch<T extends KubeObject>(
    ref: { apiVersion: string; kind: string; name: string; namespace?: string },
    patch: unknown,
    options: { type?: "merge" | "json" | "strategic"; subresource?: "status" } = {},
  ): Promise<T> {
    let path = await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name);
    if (options.subresource) path += `/${options.subresource}`;
    const types = {
      merge: "application/merge-patch+json",
      json: "application/json-patch+json",
      strategic: "application/strategic-merge-patch+json",
    };
    return this.request<T>("PATCH", path, { body: patch, contentType: types[options.type ?? "merge"] });
  }

  async delete(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
    propagationPolicy = "Background",
  ): Promise<void> {
    await this.request("DELETE", await this.pathFor(apiVersion, kind, namespace, name), {
      body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy },
    });
  }
}

function apiError(status: number, text: string, what: string): KubeApiError {
  try {
    const s = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(status, s.reason ?? "Unknown", s.message ?? `${what}: HTTP ${status}`);
  } catch {
    return new KubeApiError(status, "Unknown", `${what}: HTTP ${status}: ${text.slice(0, 300)}`);
  }
}

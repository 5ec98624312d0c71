/**
 * The CI API as the UI calls it: the token from the login kept in this browser's session
 * storage, JSON requests, and a build's server-sent events read over fetch (EventSource cannot
 * send the Authorization header).
 */
const TOKEN_KEY = "sluice.token";

export class Unauthorized extends Error {}

export class ApiFailure extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export const hasToken = () => sessionStorage.getItem(TOKEN_KEY) !== null;

export function logout(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Logs in with a local user's password (the grant fly uses); throws with the server's reason. */
export async function login(username: string, password: string): Promise<void> {
  const res = await fetch("/sky/issuer/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "password", username, password }),
  });
  if (!res.ok) throw new ApiFailure(res.status, await reason(res));
  sessionStorage.setItem(TOKEN_KEY, ((await res.json()) as { access_token: string }).access_token);
}

/**
 * Logs in with a Kubernetes ServiceAccount token (`kubectl create token NAME`): the server reviews
 * it on each request, so it is kept as it is once the server has accepted it.
 */
export async function loginWithServiceAccountToken(token: string): Promise<void> {
  const res = await fetch("/api/v1/user", { headers: { Authorization: `Bearer ${token}` } });
  if (!res.ok) throw new ApiFailure(res.status, await reason(res));
  sessionStorage.setItem(TOKEN_KEY, token);
}

async function reason(res: Response): Promise<string> {
  const text = await res.text();
  try {
    return (JSON.parse(text) as { error?: string }).error ?? `HTTP ${res.status}`;
  } catch {
    return text || `HTTP ${res.status}`;
  }
}

async function request(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<Response> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ""}`,
  };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
    ...(signal && { signal }),
  });
  if (res.status === 401) {
    logout();
    throw new Unauthorized("not logged in");
  }
  if (!res.ok) throw new ApiFailure(res.status, await reason(res));
  return res;
}

export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request("GET", path, undefined, signal)).json()) as T;
}

export async function send(
  method: "PUT" | "POST" | "DELETE",
  path: string,
  body?: unknown,
): Promise<unknown> {
  const res = await request(method, path, body);
  const text = await res.text();
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export interface BuildEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

interface ServerEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** Server-sent events of `path`, read over fetch (with the token), until the stream or `signal` ends. */
async function* serverEvents(
  path: string,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): AsyncGenerator<ServerEvent> {
  const auth = { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ""}` };
  const res = await fetch(path, { headers: { ...auth, ...headers }, signal });
  if (res.status === 401) throw new Unauthorized("not logged in");
  if (!res.ok || !res.body) throw new ApiFailure(res.status, await reason(res));
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = new Map<string, string>();
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
      }
      const event = fields.get("event");
      if (event) yield { id: fields.get("id"), event, data: fields.get("data") ?? "" };
    }
  }
}

/** The build's events from the first (or after `afterId`), live until it ends or `signal` aborts. */
export async function* buildEvents(
  buildId: number,
  signal: AbortSignal,
  afterId = 0,
): AsyncGenerator<BuildEvent> {
  const headers: Record<string, string> = afterId > 0 ? { "Last-Event-ID": String(afterId) } : {};
  for await (const message of serverEvents(`/api/v1/builds/${buildId}/events`, signal, headers)) {
    if (message.event === "end") return;
    if (message.event !== "event" || !message.data) continue;
    const payload = JSON.parse(message.data) as { event: string; data: Record<string, unknown> };
    yield { id: Number(message.id), event: payload.event, data: payload.data };
  }
}

/** The delivery objects' changes (admins only): `reset` a kind's list, then `upsert`/`delete` deltas. */
export type DeliveryChange =
  | { event: "reset"; kind: string; objects: ApiDeliveryObject[] }
  | { event: "upsert" | "delete"; object: ApiDeliveryObject };

export async function* deliveryChanges(signal: AbortSignal): AsyncGenerator<DeliveryChange> {
  for await (const message of serverEvents("/api/v1/cd/stream", signal)) {
    const data = JSON.parse(message.data) as {
      kind: string;
      objects: ApiDeliveryObject[];
    } & ApiDeliveryObject;
    if (message.event === "reset") yield { event: "reset", kind: data.kind, objects: data.objects };
    else if (message.event === "upsert" || message.event === "delete")
      yield { event: message.event, object: data };
  }
}

export type { ApiBuild, ApiJob, ApiPipeline, ApiResource, ApiUser } from "../../src/ci/api/api-types.ts";

export interface ApiDeliveryObject {
  kind: string;
  namespace: string;
  name: string;
  ready: string;
  reason: string;
  message: string;
  suspended: boolean;
  revision: string;
}

export interface ApiDeliveryDetail extends ApiDeliveryObject {
  conditions: {
    type: string;
    status: string;
    reason?: string;
    message?: string;
    lastTransitionTime?: string;
  }[];
  events: { type: string; reason: string; message: string; time: string; count: number }[];
  /** What a Kustomization applied, each with its health now. */
  inventory: {
    kind: string;
    namespace: string;
    name: string;
    apiVersion: string;
    health: string;
    message: string;
  }[];
  /** The kind's own fields worth showing (a source's URL, a policy's choice…). */
  facts: { label: string; value: string }[];
}

/** What the server announced changed: these pipelines, or (none named) anything. */
export interface ServerChange {
  pipelines?: { team: string; name: string }[];
}

/** Each `changed` the server announces (something pages show changed). */
export async function* changes(signal: AbortSignal): AsyncGenerator<ServerChange> {
  for await (const message of serverEvents("/api/v1/changes", signal))
    if (message.event === "changed") yield JSON.parse(message.data || "{}") as ServerChange;
}

/** Which changes concern the pipeline: those naming it, or naming nothing. */
export const concerning = (team: string, pipeline: string) => (change: ServerChange) =>
  !change.pipelines || change.pipelines.some((p) => p.team === team && p.name === pipeline);

/**
 * The typed client of the CI API that `sluice ci` uses: fetch-based, bearer token, errors carrying
 * the server's status and message, and a reader of build events that resumes after a dropped
 * connection with `Last-Event-ID`.
 */
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { packDirectory, unpackInto } from "../executions/tar-stream.ts";
import type { ApiBuild, ApiJob, ApiPipeline, ApiResource } from "./api-types.ts";
import type { ApiContainer } from "./container-routes.ts";
import { hijack, type HijackIo } from "./hijack-client.ts";
import type { ApiVolume } from "./volume-routes.ts";

export type { ApiContainer, ApiVolume };

export interface ApiTeam {
  id: number;
  name: string;
  auth: { owner: { users: string[]; groups: string[] }; viewer?: { users: string[]; groups: string[] } };
}

export type { ApiBuild, ApiJob, ApiPipeline, ApiResource } from "./api-types.ts";

/** What `POST …/executions` takes: the task config with the flags' vars filled in, inputs by upload id. */
export interface ApiExecution {
  config: unknown;
  inputs: Record<string, string>;
  inputs_from?: { pipeline: string; job: string };
  image?: string;
  privileged?: boolean;
}

/** Whose builds a listing shows: all the caller may see, or a team's, a pipeline's, a job's. */
export interface BuildScope {
  team?: string;
  pipeline?: string;
  job?: string;
}

export interface BuildsPageRequest {
  limit?: number;
  /** Builds older than this id. */
  until?: number;
  /** Builds newer than this id. */
  since?: number;
}

export interface BuildsPage {
  builds: ApiBuild[];
  nextUntil: number | undefined;
  previousSince: number | undefined;
}

export interface ApiVersion {
  id: number;
  version: Record<string, string>;
  metadata: { name: string; value: string }[];
  enabled: boolean;
}

export interface ApiCheck {
  status: "succeeded" | "errored";
  check_error?: string;
}

export interface ApiBuildEvent {
  id: number;
  event: string;
  data: unknown;
}

export interface SetPipelineAnswer {
  created: boolean;
  configVersion: number;
  warnings: string[];
}

/** A non-2xx answer: the status and the server's message (and its other fields, e.g. `errors`). */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;

  constructor(status: number, message: string, body: Record<string, unknown>) {
    super(message);
    this.name = "ApiRequestError";
    this.status = status;
    this.body = body;
  }
}

export interface ClientOptions {
  url: string;
  token?: string | undefined;
}

type Json = Record<string, unknown>;

export class CiClient {
  readonly #url: string;
  readonly #token: string | undefined;

  constructor(options: ClientOptions) {
    this.#url = options.url.replace(/\/$/, "");
    this.#token = options.token;
  }

  /** The server's base URL. */
  get url(): string {
    return this.#url;
  }

  /** Logs in with the password grant, as fly does; answers a client carrying the token. */
  static async login(url: string, username: string, password: string): Promise<CiClient> {
    const anonymous = new CiClient({ url });
    const res = await anonymous.#fetch("POST", "/sky/issuer/token", {
      body: new URLSearchParams({ grant_type: "password", username, password, scope: "openid profile" }),
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    const answer = (await res.json()) as { access_token: string };
    return new CiClient({ url, token: answer.access_token });
  }

  get token(): string | undefined {
    return this.#token;
  }

  info = () => this.#json<Json>("GET", "/api/v1/info");
  user = () => this.#json<Json>("GET", "/api/v1/user");

  listTeams = () => this.#json<ApiTeam[]>("GET", "/api/v1/teams");
  /**
   * Sets a team's owners and viewers (`local:NAME`, `system:serviceaccount:NS:NAME`); answers
   * whether it was created.
   */
  async setTeam(
    team: string,
    owners: readonly string[],
    viewers: readonly string[] = [],
  ): Promise<{ team: ApiTeam; created: boolean }> {
    const auth = {
      owner: { users: [...owners], groups: [] },
      ...(viewers.length > 0 && { viewer: { users: [...viewers], groups: [] } }),
    };
    const res = await this.#fetch("PUT", `/api/v1/teams/${seg(team)}`, jsonBody({ auth }));
    return { team: (await res.json()) as ApiTeam, created: res.status === 201 };
  }
  destroyTeam = (team: string) => this.#empty("DELETE", `/api/v1/teams/${seg(team)}`);
  renameTeam = (team: string, name: string) =>
    this.#empty("PUT", `/api/v1/teams/${seg(team)}/rename`, { name });

  listPipelines = (team: string) => this.#json<ApiPipeline[]>("GET", teamPath(team, "pipelines"));
  getPipeline = (team: string, p: string) => this.#json<ApiPipeline>("GET", pipelinePath(team, p));

  async getConfig(
    team: string,
    p: string,
  ): Promise<{ config: unknown; configYaml: string; version: number }> {
    const res = await this.#fetch("GET", `${pipelinePath(team, p)}/config`);
    const body = (await res.json()) as { config: unknown; config_yaml: string };
    return { config: body.config, configYaml: body.config_yaml, version: configVersion(res) };
  }

  /** Sets the pipeline from YAML, based on `expectedVersion` (0 for a new pipeline). */
  async setConfig(
    team: string,
    p: string,
    yaml: string,
    expectedVersion: number,
    options: { checkCreds?: boolean } = {},
  ): Promise<SetPipelineAnswer> {
    const query = options.checkCreds ? "?check_creds" : "";
    const res = await this.#fetch("PUT", `${pipelinePath(team, p)}/config${query}`, {
      body: yaml,
      headers: {
        "Content-Type": "application/x-yaml",
        "X-Concourse-Config-Version": String(expectedVersion),
      },
    });
    const body = (await res.json()) as { warnings: string[] };
    return { created: res.status === 201, configVersion: configVersion(res), warnings: body.warnings };
  }

  pausePipeline = (team: string, p: string) => this.#empty("PUT", `${pipelinePath(team, p)}/pause`);
  unpausePipeline = (team: string, p: string) => this.#empty("PUT", `${pipelinePath(team, p)}/unpause`);
  archivePipeline = (team: string, p: string) => this.#empty("PUT", `${pipelinePath(team, p)}/archive`);
  destroyPipeline = (team: string, p: string) => this.#empty("DELETE", pipelinePath(team, p));

  listJobs = (team: string, p: string) => this.#json<ApiJob[]>("GET", `${pipelinePath(team, p)}/jobs`);
  getJob = (team: string, p: string, job: string) => this.#json<ApiJob>("GET", jobPath(team, p, job));
  pauseJob = (team: string, p: string, job: string, paused: boolean) =>
    this.#empty("PUT", `${jobPath(team, p, job)}/${paused ? "pause" : "unpause"}`);
  /** Registers or updates a project (a repository whose GitLab CI or GitHub Actions file runs here). */
  setProject = (team: string, name: string, project: Json) =>
    this.#json<{ name: string; credentials: string; file: string; webhook_path: string }>(
      "PUT",
      teamPath(team, `projects/${seg(name)}`),
      project,
    );
  /** Runs a project's head now (GitLab's `web` pipeline, GitHub's `workflow_dispatch`). */
  triggerProject = (team: string, name: string) =>
    this.#empty("POST", teamPath(team, `projects/${seg(name)}/runs`));
  triggerJob = (team: string, p: string, job: string) =>
    this.#json<ApiBuild>("POST", `${jobPath(team, p, job)}/builds`);
  getJobBuild = (team: string, p: string, job: string, build: string) =>
    this.#json<ApiBuild>("GET", `${jobPath(team, p, job)}/builds/${encodeURIComponent(build)}`);
  rerunBuild = (team: string, p: string, job: string, build: string) =>
    this.#json<ApiBuild>("POST", `${jobPath(team, p, job)}/builds/${encodeURIComponent(build)}`);

  /** A page of the job's builds, newest first, and the `until` of the next page if there is one. */
  listJobBuilds = (team: string, p: string, job: string, page: BuildsPageRequest = {}) =>
    this.listBuilds({ team, pipeline: p, job }, page);

  /**
   * A page of builds, newest first: every build the caller may see, or a team's, a pipeline's
   * (with `team`) or a job's (with `team` and `pipeline`); with the bounds of the older (`nextUntil`)
   * and newer (`previousSince`) pages when there are any.
   */
  async listBuilds(scope: BuildScope = {}, page: BuildsPageRequest = {}): Promise<BuildsPage> {
    const query = new URLSearchParams();
    for (const key of ["limit", "until", "since"] as const)
      if (page[key] !== undefined) query.set(key, String(page[key]));
    const res = await this.#fetch("GET", `${buildsPath(scope)}?${query.toString()}`);
    const link = res.headers.get("link") ?? "";
    const bound = (name: string, rel: string) => {
      const found = new RegExp(`[?&]${name}=(\\d+)[^>]*>;\\s*rel="${rel}"`).exec(link);
      return found ? Number(found[1]) : undefined;
    };
    return {
      builds: (await res.json()) as ApiBuild[],
      nextUntil: bound("until", "next"),
      previousSince: bound("since", "previous"),
    };
  }

  /** Uploads `dir` (a gzipped tar) for an execution; answers the id to name it by. */
  async uploadDirectory(team: string, dir: string): Promise<string> {
    const { stream, done } = packDirectory(dir);
    const [res] = await Promise.all([
      this.#fetch("POST", teamPath(team, "artifacts"), {
        body: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
        headers: { "Content-Type": "application/gzip" },
      }),
      done,
    ]);
    return ((await res.json()) as { id: string }).id;
  }

  /** Starts a one-off build running a task on the server (fly's execute). */
  startExecution = (team: string, request: ApiExecution) =>
    this.#json<ApiBuild>("POST", teamPath(team, "executions"), request as unknown as Json);

  /** Extracts a finished execution's output `name` into the existing directory `dir`. */
  async downloadOutput(buildId: number, name: string, dir: string): Promise<void> {
    const res = await this.#fetch("GET", `/api/v1/builds/${buildId}/outputs/${seg(name)}`);
    await unpackInto(dir, Readable.fromWeb(res.body as WebReadableStream<Uint8Array>));
  }

  listVolumes = (team: string) => this.#json<ApiVolume[]>("GET", teamPath(team, "volumes"));
  listContainers = (team: string) => this.#json<ApiContainer[]>("GET", teamPath(team, "containers"));

  /** Runs a command in a running container (intercept); answers its exit status. */
  hijack(
    team: string,
    handle: string,
    options: { argv: readonly string[]; tty?: { rows: number; cols: number } | undefined },
    io: HijackIo,
  ): Promise<number> {
    return hijack({ url: this.#url, token: this.#token, team, handle, ...options }, io);
  }
  listResources = (team: string, p: string) =>
    this.#json<ApiResource[]>("GET", `${pipelinePath(team, p)}/resources`);
  getResource = (team: string, p: string, r: string) =>
    this.#json<ApiResource>("GET", resourcePath(team, p, r));
  listVersions = (team: string, p: string, r: string) =>
    this.#json<ApiVersion[]>("GET", `${resourcePath(team, p, r)}/versions`);
  enableVersion = (team: string, p: string, r: string, id: number, enabled: boolean) =>
    this.#empty("PUT", `${resourcePath(team, p, r)}/versions/${id}/${enabled ? "enable" : "disable"}`);
  pinVersion = (team: string, p: string, r: string, id: number, comment?: string) =>
    this.#empty("PUT", `${resourcePath(team, p, r)}/versions/${id}/pin`, { pin_comment: comment });
  unpinResource = (team: string, p: string, r: string) =>
    this.#empty("PUT", `${resourcePath(team, p, r)}/unpin`);
  checkResource = (
    team: string,
    p: string,
    r: string,
    from?: Record<string, string>,
    options: { async?: boolean } = {},
  ) =>
    this.#json<ApiCheck>("POST", `${resourcePath(team, p, r)}/check`, {
      from,
      ...(options.async && { async: true }),
    });

  getBuild = (id: number) => this.#json<ApiBuild>("GET", `/api/v1/builds/${id}`);
  abortBuild = (id: number) => this.#empty("PUT", `/api/v1/builds/${id}/abort`);

  /**
   * The build's events until its `end`, resuming after the last seen id when the connection drops
   * (up to `retries` times in a row). `lastEventId` starts after an id already seen.
   */
  async *buildEvents(
    id: number,
    options: { lastEventId?: number; signal?: AbortSignal; retries?: number } = {},
  ): AsyncGenerator<ApiBuildEvent> {
    let last = options.lastEventId ?? 0;
    let failures = 0;
    for (;;) {
      try {
        const res = await this.#fetch("GET", `/api/v1/builds/${id}/events`, {
          headers: { Accept: "text/event-stream", ...(last > 0 ? { "Last-Event-ID": String(last) } : {}) },
          ...(options.signal ? { signal: options.signal } : {}),
        });
        for await (const message of readServerSentEvents(res)) {
          if (message.event === "end") return;
          const payload = JSON.parse(message.data) as { event: string; data: unknown };
          last = Number(message.id);
          failures = 0;
          yield { id: last, event: payload.event, data: payload.data };
        }
      } catch (error) {
        if (error instanceof ApiRequestError || options.signal?.aborted) throw error;
        if (++failures > (options.retries ?? 5)) throw error;
        await sleep(200 * failures);
      }
    }
  }

  async #fetch(
    method: string,
    path: string,
    init: {
      body?: string | URLSearchParams | ReadableStream<Uint8Array>;
      headers?: Record<string, string>;
      signal?: AbortSignal;
    } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.#token) headers["Authorization"] = `Bearer ${this.#token}`;
    const res = await fetch(`${this.#url}${path}`, {
      method,
      headers,
      // a streamed body is sent as it is read (fetch wants to be told)
      ...(init.body === undefined ? {} : { body: init.body }),
      ...(init.body instanceof ReadableStream && { duplex: "half" }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
    if (res.ok) return res;
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { error: text.trim() };
    }
    const message = typeof body["error"] === "string" ? body["error"] : `HTTP ${res.status}`;
    throw new ApiRequestError(res.status, `${method} ${path}: ${message}`, body);
  }

  async #json<T>(method: string, path: string, body?: Json): Promise<T> {
    const res = await this.#fetch(method, path, jsonBody(body));
    return (await res.json()) as T;
  }

  async #empty(method: string, path: string, body?: Json): Promise<void> {
    await (await this.#fetch(method, path, jsonBody(body))).arrayBuffer();
  }
}

function jsonBody(body: Json | undefined) {
  return body === undefined
    ? {}
    : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } };
}

const seg = encodeURIComponent;
const teamPath = (team: string, rest: string) => `/api/v1/teams/${seg(team)}/${rest}`;
const pipelinePath = (team: string, p: string) => teamPath(team, `pipelines/${seg(p)}`);
const jobPath = (team: string, p: string, job: string) => `${pipelinePath(team, p)}/jobs/${seg(job)}`;
const resourcePath = (team: string, p: string, r: string) => `${pipelinePath(team, p)}/resources/${seg(r)}`;

function buildsPath(scope: BuildScope): string {
  if (scope.team === undefined) return "/api/v1/builds";
  if (scope.pipeline === undefined) return teamPath(scope.team, "builds");
  if (scope.job === undefined) return `${pipelinePath(scope.team, scope.pipeline)}/builds`;
  return `${jobPath(scope.team, scope.pipeline, scope.job)}/builds`;
}

function configVersion(res: Response): number {
  return Number(res.headers.get("x-concourse-config-version") ?? 0);
}

interface ServerSentEvent {
  id: string;
  event: string;
  data: string;
}

/** The messages of a text/event-stream body (id, event, data; comments and retry ignored). */
async function* readServerSentEvents(res: Response): AsyncGenerator<ServerSentEvent> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: ServerSentEvent = { id: "", event: "message", data: "" };
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, "");
        if (field === "id") message.id = value;
        else if (field === "event") message.event = value;
        else if (field === "data") message.data = message.data === "" ? value : `${message.data}\n${value}`;
      }
      yield message;
    }
  }
  throw new Error("the event stream ended before its end event");
}

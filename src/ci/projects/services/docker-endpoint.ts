/**
 * A `docker:*-dind` service without a Docker daemon: the subset of the Docker Engine API that
 * `docker login`, `docker build`, `docker tag`, `docker images` and `docker push [--all-tags]`
 * use, served on `<address>:2375` by Sluice's image builder. `build` keeps what it built by tag
 * (its context and arguments); `push` builds again with a push output — a cache hit, the same
 * image — to the tags asked for, with the credentials the CLI sends. Anything else answers 404
 * naming the call, so a job using more of the API learns it at once.
 */
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Credentials } from "../../../oci/auth.ts";
import { runProcess } from "../../../process/run.ts";
import type { ImageBuilder, ImageBuildRequest } from "../../builder/image-builder.ts";
import { parseImageReference } from "../../../oci/reference.ts";
import { splitTag } from "../image-reference.ts";

const API_VERSION = "1.41";

interface Built {
  request: Omit<ImageBuildRequest, "outputs" | "registryAuth" | "signal" | "log">;
  imageId: string;
}

function decodeAuth(header: string | string[] | undefined): {
  username?: string;
  password?: string;
  serveraddress?: string;
} {
  if (typeof header !== "string" || header === "") return {};
  try {
    return JSON.parse(Buffer.from(header, "base64").toString("utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

export interface DockerEndpointOptions {
  builder: ImageBuilder;
  /** Holds the build contexts; removed on close. */
  workDir: string;
  /** The loopback address to listen on (port 2375). */
  host: string;
  log: (line: string) => void;
}

export class DockerEndpoint {
  readonly #o: DockerEndpointOptions;
  readonly #images = new Map<string, Built>();
  readonly #server: Server;
  readonly #logins = new Map<string, Credentials>();

  private constructor(options: DockerEndpointOptions) {
    this.#o = options;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.#json(res, 500, { message: (error as Error).message });
        else
          this.#line(res, {
            errorDetail: { message: (error as Error).message },
            error: (error as Error).message,
          });
        res.end();
      });
    });
  }

  /** Listens on `host:2375`; rejects when the address is taken. */
  static async start(options: DockerEndpointOptions): Promise<DockerEndpoint> {
    const endpoint = new DockerEndpoint(options);
    await mkdir(options.workDir, { recursive: true });
    await new Promise<void>((resolve, reject) => {
      endpoint.#server.once("error", reject);
      endpoint.#server.listen(2375, options.host, () => resolve());
    });
    return endpoint;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await rm(this.#o.workDir, { recursive: true, force: true });
  }

  #json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "Content-Type": "application/json", "Api-Version": API_VERSION });
    res.end(JSON.stringify(body));
  }

  #line(res: ServerResponse, body: unknown): void {
    res.write(`${JSON.stringify(body)}\r\n`);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://docker");
    const route = url.pathname.replace(/^\/v1\.\d+/, "");
    const method = req.method ?? "GET";
    if (route === "/_ping") {
      res.writeHead(200, {
        "Api-Version": API_VERSION,
        "Content-Type": "text/plain",
        "Docker-Experimental": "false",
        Ostype: "linux",
      });
      return void res.end(method === "HEAD" ? undefined : "OK");
    }
    if (route === "/version" || route === "/info")
      return this.#json(res, 200, {
        Version: "20.10.24+sluice",
        ApiVersion: API_VERSION,
        MinAPIVersion: "1.12",
        Os: "linux",
        Arch: "amd64",
        OperatingSystem: "Sluice image builder (no Docker daemon)",
      });
    if (method === "POST" && route === "/auth") return this.#auth(req, res);
    if (method === "POST" && route === "/build") return this.#build(req, res, url);
    if (method === "GET" && route === "/images/json") return this.#list(res);
    const image = /^\/images\/(.+)\/(tag|push)$/.exec(route);
    if (method === "POST" && image?.[2] === "tag") return this.#tag(res, decodeURIComponent(image[1]!), url);
    if (method === "POST" && image?.[2] === "push")
      return this.#push(req, res, decodeURIComponent(image[1]!), url);
    this.#json(res, 404, { message: `Sluice's Docker endpoint does not implement ${method} ${route}` });
  }

  async #auth(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, string>;
    if (!body["username"] || !body["password"])
      return this.#json(res, 401, { message: "a username and a password are required" });
    const registry = (body["serveraddress"] ?? "docker.io").replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    this.#logins.set(registry, { username: body["username"], password: body["password"] });
    this.#json(res, 200, { Status: "Login Succeeded", IdentityToken: "" });
  }

  async #build(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const contextDir = await mkdtemp(path.join(this.#o.workDir, "context-"));
    const archive = `${contextDir}.tar`;
    await pipeline(req, createWriteStream(archive));
    await runProcess("tar", ["-xf", archive, "-C", contextDir, "--no-same-owner"], {
      env: { PATH: "/usr/bin:/bin" },
      timeoutMs: 300_000,
    });
    await rm(archive, { force: true });
    const tags = url.searchParams.getAll("t");
    const json = (name: string) => JSON.parse(url.searchParams.get(name) ?? "{}") as Record<string, string>;
    const request: Built["request"] = {
      contextDir,
      dockerfile: path.join(contextDir, url.searchParams.get("dockerfile") ?? "Dockerfile"),
      buildArgs: json("buildargs"),
      labels: json("labels"),
      ...(url.searchParams.get("target") && { target: url.searchParams.get("target")! }),
    };
    const registryConfig = decodeAuth(req.headers["x-registry-config"]) as Record<
      string,
      { username?: string; password?: string }
    >;
    for (const [registry, auth] of Object.entries(registryConfig))
      if (auth.username && auth.password)
        this.#logins.set(registry.replace(/^https?:\/\//, "").replace(/\/.*$/, ""), {
          username: auth.username,
          password: auth.password,
        });
    res.writeHead(200, { "Content-Type": "application/json", "Api-Version": API_VERSION });
    const scratch = path.join(this.#o.workDir, `layout-${randomBytes(4).toString("hex")}`);
    const result = await this.#o.builder
      .build({
        ...request,
        outputs: [{ kind: "oci-layout", dir: scratch }],
        registryAuth: this.#logins,
        log: (line) => this.#line(res, { stream: `${line}\n` }),
      })
      .catch((error: unknown) => error as Error);
    await rm(scratch, { recursive: true, force: true });
    if (result instanceof Error) {
      this.#line(res, { errorDetail: { message: result.message }, error: result.message });
      return void res.end();
    }
    const imageId = result.configDigest ?? result.digest ?? "";
    this.#line(res, { aux: { ID: imageId } });
    this.#line(res, { stream: `Successfully built ${imageId.replace(/^sha256:/, "").slice(0, 12)}\n` });
    for (const tag of tags) {
      const { repository, tag: name } = splitTag(tag);
      this.#images.set(`${repository}:${name}`, { request, imageId });
      this.#line(res, { stream: `Successfully tagged ${repository}:${name}\n` });
    }
    this.#o.log(`docker build: ${tags.join(", ") || imageId}`);
    res.end();
  }

  #list(res: ServerResponse): void {
    const byId = new Map<string, string[]>();
    for (const [tag, built] of this.#images)
      byId.set(built.imageId, [...(byId.get(built.imageId) ?? []), tag]);
    this.#json(
      res,
      200,
      [...byId].map(([id, tags]) => ({ Id: id, RepoTags: tags, Created: 0, Size: 0, Labels: {} })),
    );
  }

  #tag(res: ServerResponse, source: string, url: URL): void {
    const { repository, tag } = splitTag(source);
    const from = this.#images.get(`${repository}:${tag}`);
    if (!from) return this.#json(res, 404, { message: `No such image: ${source}` });
    this.#images.set(`${url.searchParams.get("repo")}:${url.searchParams.get("tag") || "latest"}`, from);
    res.writeHead(201).end();
  }

  async #push(req: IncomingMessage, res: ServerResponse, repository: string, url: URL): Promise<void> {
    const only = url.searchParams.get("tag");
    const tags = [...this.#images].filter(([reference]) => {
      const { repository: repo, tag } = splitTag(reference);
      return repo === repository && (!only || tag === only);
    });
    if (tags.length === 0)
      return this.#json(res, 404, { message: `An image does not exist locally with the tag: ${repository}` });
    const auth = decodeAuth(req.headers["x-registry-auth"]);
    const logins = new Map(this.#logins);
    if (auth.username && auth.password)
      logins.set(parseImageReference(repository).registry, {
        username: auth.username,
        password: auth.password,
      });
    res.writeHead(200, { "Content-Type": "application/json", "Api-Version": API_VERSION });
    this.#line(res, { status: `The push refers to repository [${repository}]` });
    const byImage = new Map<Built, string[]>();
    for (const [reference, built] of tags) byImage.set(built, [...(byImage.get(built) ?? []), reference]);
    for (const [built, references] of byImage) {
      const result = await this.#o.builder
        .build({ ...built.request, outputs: [{ kind: "push", refs: references }], registryAuth: logins })
        .catch((error: unknown) => error as Error);
      if (result instanceof Error) {
        this.#line(res, { errorDetail: { message: result.message }, error: result.message });
        return void res.end();
      }
      for (const reference of references) {
        const { tag } = splitTag(reference);
        this.#line(res, { status: `${tag}: digest: ${result.digest} size: 0` });
        this.#line(res, { progressDetail: {}, aux: { Tag: tag, Digest: result.digest, Size: 0 } });
      }
      this.#o.log(`docker push: ${references.join(", ")} (${result.digest})`);
    }
    res.end();
  }
}

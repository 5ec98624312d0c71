/**
 * Source artifacts on local disk, addressed by content:
 * `<root>/<kind>/<namespace>/<name>/<sha256 hex>.tar.gz`, the same path layout as Flux's
 * source-controller storage (`gitrepository/default/podinfo/<hex>.tar.gz`). Writes are atomic (a
 * temporary file renamed into place); only paths of exactly that shape are ever read or removed.
 */
import { randomBytes } from "node:crypto";
import { constants, type ReadStream } from "node:fs";
import { lstat, mkdir, open, readdir, rename, rm, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Artifact } from "../api/meta.ts";
import { sha256Digest } from "../oci/digest.ts";

export interface ArtifactStoreOptions {
  /** Directory holding the artifacts; created when missing. */
  root: string;
  /**
   * Address the artifact server is reached at, e.g. http://source-controller.flux-system.svc.cluster.local;
   * a function when it is known only once the server listens (a port picked at start).
   */
  baseUrl: string | (() => string);
}

export interface ArtifactOwner {
  /** Kind of the source object, e.g. GitRepository; stored lowercased. */
  kind: string;
  namespace: string;
  name: string;
}

export interface PutArtifact extends ArtifactOwner {
  revision: string;
  bytes: Uint8Array;
  /** "sha256:<hex>" of `bytes`; checked. */
  digest: string;
}

export interface StoredArtifact {
  path: string;
  digest: string;
  size: number;
  lastModified: Date;
  /** The content; destroy it to close the file without reading. */
  stream: ReadStream;
}

/** A path or name the store refuses: it would not stay inside the store, or is not an artifact. */
export class InvalidArtifactPathError extends Error {
  readonly reason = "InvalidArtifactPath";

  constructor(message: string) {
    super(message);
    this.name = "InvalidArtifactPathError";
  }
}

const kindPattern = /^[a-z][a-z0-9]{0,62}$/;
const namespacePattern = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const namePattern = /^[a-z0-9](?:[-.a-z0-9]{0,251}[a-z0-9])?$/;
const artifactFilePattern = /^([0-9a-f]{64})\.tar\.gz$/;
const digestPattern = /^sha256:([0-9a-f]{64})$/;
const temporaryPrefix = ".tmp-";
const staleTemporaryMs = 60 * 60 * 1000;

export class ArtifactStore {
  readonly root: string;
  readonly #baseUrl: string | (() => string);

  constructor(options: ArtifactStoreOptions) {
    this.root = path.resolve(options.root);
    this.#baseUrl = options.baseUrl;
  }

  get baseUrl(): string {
    const base = typeof this.#baseUrl === "string" ? this.#baseUrl : this.#baseUrl();
    return base.replace(/\/+$/, "");
  }

  /**
   * Stores the artifact unless the same digest is stored already; either way it becomes the
   * object's most recent artifact (its modification time is set to now), which `gc` relies on.
   */
  async put(artifact: PutArtifact): Promise<Artifact> {
    const hex = digestHex(artifact.digest);
    if (sha256Digest(artifact.bytes) !== artifact.digest)
      throw new Error(`artifact bytes do not match digest ${artifact.digest}`);
    const relative = `${objectDirectory(artifact)}/${hex}.tar.gz`;
    const file = this.#absolute(relative);
    await mkdir(path.dirname(file), { recursive: true });
    if (await isRegularFile(file)) {
      const now = new Date();
      await utimes(file, now, now);
    } else {
      await writeAtomically(file, artifact.bytes);
    }
    const { mtime } = await lstat(file);
    return {
      path: relative,
      url: this.urlOf(relative),
      revision: artifact.revision,
      digest: artifact.digest,
      lastUpdateTime: kubernetesTime(mtime),
      size: artifact.bytes.length,
    };
  }

  /** The stored artifact at `artifactPath` (as in `Artifact.path`), or undefined. */
  async get(artifactPath: string): Promise<StoredArtifact | undefined> {
    const relative = validateArtifactPath(artifactPath);
    let handle;
    try {
      handle = await open(this.#absolute(relative), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      return undefined;
    }
    const hex = artifactFilePattern.exec(path.posix.basename(relative))?.[1] ?? "";
    return {
      path: relative,
      digest: `sha256:${hex}`,
      size: stats.size,
      lastModified: stats.mtime,
      stream: handle.createReadStream({ autoClose: true }),
    };
  }

  async exists(artifactPath: string): Promise<boolean> {
    return isRegularFile(this.#absolute(validateArtifactPath(artifactPath)));
  }

  /** The object's artifact paths, most recent first. */
  async list(owner: ArtifactOwner): Promise<string[]> {
    const files = await this.#artifactFiles(owner);
    return files.map((f) => f.path);
  }

  /**
   * Removes the object's artifacts except those in `keep` and the `retain` most recent others,
   * and temporary files left by interrupted writes. Returns the paths removed.
   */
  async gc(options: ArtifactOwner & { keep: readonly string[]; retain?: number }): Promise<string[]> {
    const keep = new Set(options.keep);
    const others = (await this.#artifactFiles(options)).filter((f) => !keep.has(f.path));
    const removed = others.slice(Math.max(0, options.retain ?? 0)).map((f) => f.path);
    for (const relative of removed) await rm(this.#absolute(relative), { force: true });
    await this.#removeStaleTemporaries(objectDirectory(options));
    return removed;
  }

  /** Removes every artifact of the object, when the object itself is deleted. */
  async deleteObject(kind: string, namespace: string, name: string): Promise<void> {
    await rm(this.#absolute(objectDirectory({ kind, namespace, name })), { recursive: true, force: true });
  }

  urlOf(artifactPath: string): string {
    return `${this.baseUrl}/${validateArtifactPath(artifactPath)}`;
  }

  async #artifactFiles(owner: ArtifactOwner): Promise<Array<{ path: string; mtimeMs: number }>> {
    const directory = objectDirectory(owner);
    const files = [];
    for (const name of await readdirOrEmpty(this.#absolute(directory))) {
      if (!artifactFilePattern.test(name)) continue;
      const relative = `${directory}/${name}`;
      const stats = await lstat(this.#absolute(relative)).catch(() => undefined);
      if (stats?.isFile()) files.push({ path: relative, mtimeMs: stats.mtimeMs });
    }
    return files.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.path < b.path ? -1 : 1));
  }

  async #removeStaleTemporaries(directory: string): Promise<void> {
    for (const name of await readdirOrEmpty(this.#absolute(directory))) {
      if (!name.startsWith(temporaryPrefix)) continue;
      const file = this.#absolute(`${directory}/${name}`);
      const stats = await lstat(file).catch(() => undefined);
      if (stats && Date.now() - stats.mtimeMs > staleTemporaryMs) await rm(file, { force: true });
    }
  }

  #absolute(relative: string): string {
    const absolute = path.resolve(this.root, relative);
    if (!absolute.startsWith(`${this.root}${path.sep}`))
      throw new InvalidArtifactPathError(`artifact path ${JSON.stringify(relative)} leaves the store`);
    return absolute;
  }
}

/**
 * Checks that `artifactPath` has exactly the shape the store writes,
 * `<kind>/<namespace>/<name>/<hex>.tar.gz`, which rules out any way of leaving the store.
 */
export function validateArtifactPath(artifactPath: string): string {
  const parts = artifactPath.split("/");
  const [kind = "", namespace = "", name = "", file = ""] = parts;
  const valid =
    parts.length === 4 &&
    kindPattern.test(kind) &&
    namespacePattern.test(namespace) &&
    namePattern.test(name) &&
    artifactFilePattern.test(file);
  if (!valid) throw new InvalidArtifactPathError(`${JSON.stringify(artifactPath)} is not an artifact path`);
  return artifactPath;
}

function objectDirectory(owner: ArtifactOwner): string {
  const kind = owner.kind.toLowerCase();
  if (!kindPattern.test(kind))
    throw new InvalidArtifactPathError(`invalid kind ${JSON.stringify(owner.kind)}`);
  if (!namespacePattern.test(owner.namespace))
    throw new InvalidArtifactPathError(`invalid namespace ${JSON.stringify(owner.namespace)}`);
  if (!namePattern.test(owner.name))
    throw new InvalidArtifactPathError(`invalid name ${JSON.stringify(owner.name)}`);
  return `${kind}/${owner.namespace}/${owner.name}`;
}

function digestHex(digest: string): string {
  const hex = digestPattern.exec(digest)?.[1];
  if (hex === undefined) throw new Error(`unsupported digest ${JSON.stringify(digest)}; want sha256:<hex>`);
  return hex;
}

async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  const temporary = path.join(path.dirname(file), `${temporaryPrefix}${randomBytes(8).toString("hex")}`);
  try {
    await writeFile(temporary, bytes, { mode: 0o644, flag: "wx", flush: true });
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

async function isRegularFile(file: string): Promise<boolean> {
  try {
    return (await lstat(file)).isFile();
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

async function readdirOrEmpty(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP";
}

/** metav1.Time: RFC 3339 with whole seconds. */
function kubernetesTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Root filesystems of task images, unpacked once per manifest digest and shared read-only by
 * every container that runs in them. The tag is resolved to a digest through the project's OCI
 * client (mirrors, credentials, retries); the layers are pulled and unpacked by the image builder
 * (BuildKit: whiteouts, opaque directories, hard links, ownership and paths escaping the root
 * handled by a maintained unpacker), into `<dir>/<digest hex>/rootfs` with the image's runtime
 * config beside it. An entry is built under a temporary name and renamed, so a crash never leaves
 * a half tree in use; concurrent acquires of one image share one unpack. Least recently used
 * entries no container holds are evicted beyond `maxBytes`.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ImageBuilder } from "../../builder/image-builder.ts";
import { layoutRuntimeConfig } from "../../builder/layout-config.ts";
import { checkImage } from "../../resources/registry-image/resource.ts";
import { parseRegistryImageSource, type RegistryImageSource } from "../../resources/registry-image/source.ts";
import type { RegistryMirrors } from "../../../oci/mirrors.ts";
import type { ImageRequest, ImageRuntimeConfig, RootfsLease, RootfsProvider } from "../image.ts";
import { directorySize } from "./directory-size.ts";

export interface ImageRootfsCacheOptions {
  /** Holds one directory per image, e.g. `<data dir>/ci/images`. */
  dir: string;
  builder: ImageBuilder;
  mirrors?: RegistryMirrors | undefined;
  /** Unleased images are evicted, least recently used first, beyond this (default 20 GiB). */
  maxBytes?: number | undefined;
}

interface Entry {
  dir: string;
  config: ImageRuntimeConfig;
}

const defaultMaxBytes = 20 * 1024 ** 3;

export interface CachedImage {
  dir: string;
  /** `registry/repository@sha256:…`. */
  reference: string;
  bytes: number;
  usedAt: number;
  /** Containers using it now. */
  leases: number;
}
const temporaryPrefix = ".tmp-";

/** BuildKit's words for a layer that does not match its digest, in a person's. */
function pullFailure(message: string): string {
  const corrupted = /unexpected commit digest (sha256:[0-9a-f]{64}), expected (sha256:[0-9a-f]{64})/.exec(
    message,
  );
  if (!corrupted) return message;
  return `layer ${corrupted[2]} is corrupted: the registry served content whose digest is ${corrupted[1]}`;
}

export class ImageRootfsCache implements RootfsProvider {
  readonly #options: ImageRootfsCacheOptions;
  readonly #leases = new Map<string, number>();
  readonly #unpacking = new Map<string, Promise<Entry>>();
  #cleaned: Promise<void> | undefined;

  constructor(options: ImageRootfsCacheOptions) {
    this.#options = options;
  }

  async acquire(
    request: ImageRequest,
    options: { signal: AbortSignal; log?: (line: string) => void },
  ): Promise<RootfsLease> {
    this.#cleaned ??= this.#removeLeftovers();
    await this.#cleaned;
    const source = parseRegistryImageSource(request.source);
    const name = `${source.origin.location.registry}/${source.origin.location.repository}`;
    const digest = request.version?.["digest"] ?? (await this.#resolve(source, options.signal));
    const hex = /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];
    if (!hex) throw new Error(`image ${name}: ${JSON.stringify(digest)} is not a sha256 digest`);
    this.#leases.set(hex, (this.#leases.get(hex) ?? 0) + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const left = (this.#leases.get(hex) ?? 1) - 1;
      if (left > 0) this.#leases.set(hex, left);
      else this.#leases.delete(hex);
    };
    try {
      const entry = await this.#entry(hex, `${name}@${digest}`, source, options);
      const now = new Date();
      await utimes(entry.dir, now, now);
      await this.#evict();
      return { rootfs: path.join(entry.dir, "rootfs"), config: entry.config, digest, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  async #resolve(source: RegistryImageSource, signal: AbortSignal): Promise<string> {
    const [latest] = await checkImage(
      source,
      undefined,
      { ...(this.#options.mirrors && { mirrors: this.#options.mirrors }) },
      { signal },
    );
    if (!latest) throw new Error(`image ${source.repository}: the registry lists no such tag`);
    return latest.digest;
  }

  #entry(
    hex: string,
    reference: string,
    source: RegistryImageSource,
    options: { signal: AbortSignal; log?: (line: string) => void },
  ): Promise<Entry> {
    const pending = this.#unpacking.get(hex);
    if (pending) return pending;
    const unpacking = this.#readOrUnpack(hex, reference, source, options).finally(() =>
      this.#unpacking.delete(hex),
    );
    this.#unpacking.set(hex, unpacking);
    return unpacking;
  }

  async #readOrUnpack(
    hex: string,
    reference: string,
    source: RegistryImageSource,
    options: { signal: AbortSignal; log?: (line: string) => void },
  ): Promise<Entry> {
    const dir = path.join(this.#options.dir, hex);
    const existing = await readFile(path.join(dir, "config.json"), "utf8").catch(() => undefined);
    if (existing !== undefined) return { dir, config: JSON.parse(existing) as ImageRuntimeConfig };
    options.log?.(`fetching ${reference}`);
    const work = path.join(this.#options.dir, `${temporaryPrefix}${hex}-${randomBytes(4).toString("hex")}`);
    try {
      await mkdir(path.join(work, "context"), { recursive: true });
      await writeFile(path.join(work, "context", "Dockerfile"), `FROM ${reference}\n`);
      const credentials = source.origin.credentials;
      await this.#options.builder.build({
        contextDir: path.join(work, "context"),
        outputs: [
          { kind: "rootfs", dir: path.join(work, "rootfs") },
          { kind: "oci-layout", dir: path.join(work, "layout") },
        ],
        registryAuth: credentials && new Map([[source.origin.location.registry, credentials]]),
        signal: options.signal,
      });
      const config = await layoutRuntimeConfig(path.join(work, "layout"));
      await rm(path.join(work, "layout"), { recursive: true, force: true });
      await rm(path.join(work, "context"), { recursive: true, force: true });
      const size = await directorySize(path.join(work, "rootfs"));
      await writeFile(path.join(work, "size"), String(size));
      await writeFile(path.join(work, "reference"), reference);
      await writeFile(path.join(work, "config.json"), JSON.stringify(config));
      await rename(work, dir);
      options.log?.(`unpacked ${reference} (${(size / 1e6).toFixed(1)} MB)`);
      return { dir, config };
    } catch (error) {
      await rm(work, { recursive: true, force: true });
      throw new Error(`image ${reference}: ${pullFailure((error as Error).message)}`, { cause: error });
    }
  }

  /** Evicts least recently used images no lease holds until the cache fits its bound. */
  async #evict(): Promise<void> {
    const entries = await this.#entries();
    let total = entries.reduce((sum, entry) => sum + entry.size, 0);
    const maxBytes = this.#options.maxBytes ?? defaultMaxBytes;
    for (const entry of entries.sort((a, b) => a.usedAt - b.usedAt)) {
      if (total <= maxBytes) return;
      if (this.#leases.has(entry.hex) || this.#unpacking.has(entry.hex)) continue;
      const trash = path.join(this.#options.dir, `${temporaryPrefix}evicted-${entry.hex}`);
      await rename(path.join(this.#options.dir, entry.hex), trash);
      await rm(trash, { recursive: true, force: true });
      total -= entry.size;
    }
  }

  /** The images on disk: what they are, their size, when last used and how many containers hold them. */
  async list(): Promise<CachedImage[]> {
    const listed: CachedImage[] = [];
    for (const entry of await this.#entries()) {
      const dir = path.join(this.#options.dir, entry.hex);
      const reference = await readFile(path.join(dir, "reference"), "utf8").catch(
        () => `sha256:${entry.hex}`,
      );
      listed.push({
        dir,
        reference,
        bytes: entry.size,
        usedAt: entry.usedAt,
        leases: this.#leases.get(entry.hex) ?? 0,
      });
    }
    return listed;
  }

  /** The images on disk with their sizes and when they were last used. */
  async #entries(): Promise<{ hex: string; size: number; usedAt: number }[]> {
    const names = await readdir(this.#options.dir).catch(() => []);
    const entries = [];
    for (const hex of names.filter((name) => /^[0-9a-f]{64}$/.test(name))) {
      const dir = path.join(this.#options.dir, hex);
      const [size, info] = await Promise.all([
        readFile(path.join(dir, "size"), "utf8").catch(() => "0"),
        stat(dir),
      ]);
      entries.push({ hex, size: Number(size) || 0, usedAt: info.mtimeMs });
    }
    return entries;
  }

  /** A crash may have left temporary trees behind: they are never in use. */
  async #removeLeftovers(): Promise<void> {
    await mkdir(this.#options.dir, { recursive: true });
    for (const name of await readdir(this.#options.dir)) {
      if (name.startsWith(temporaryPrefix))
        await rm(path.join(this.#options.dir, name), { recursive: true, force: true });
    }
  }
}

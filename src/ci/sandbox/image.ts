/**
 * The contract between the image cache and the containers that run in its root filesystems:
 * a task asks for an image, gets a read-only root filesystem and the image's config for as long
 * as it holds the lease, and releases it when the container is gone. A leased image is never
 * evicted from the cache.
 */

/** The parts of an OCI image config a container applies. */
export interface ImageRuntimeConfig {
  /** `NAME=value` entries, in the image's order. */
  env: string[];
  /** `user`, `uid`, `user:group` or `uid:gid`; undefined: root. */
  user?: string | undefined;
  workingDir?: string | undefined;
  entrypoint?: string[] | undefined;
  cmd?: string[] | undefined;
}

/** An image as a task names it: a `registry-image` image_resource's source, vars resolved. */
export interface ImageRequest {
  /** The image_resource's `source` (repository, tag, username, password, insecure, ca_certs, registry_mirror, …). */
  source: Record<string, unknown>;
  /** A pinned version (`{digest}`) from the image_resource's `version:`; otherwise the tag is resolved now. */
  version?: Record<string, string> | undefined;
}

export interface RootfsLease {
  /** Directory holding the image's root filesystem; shared by every lease of the image: never write to it. */
  readonly rootfs: string;
  readonly config: ImageRuntimeConfig;
  /** `sha256:…` of the manifest the root filesystem was unpacked from. */
  readonly digest: string;
  /** Ends the lease; the image may be evicted once no lease holds it. Idempotent. */
  release(): void;
}

export interface RootfsProvider {
  /**
   * Resolves, pulls (once) and unpacks (once) the image, then leases it. Throws an Error whose
   * message names the image and the cause (missing image, credentials refused, corrupted layer,
   * a layer escaping the root, …); `log` receives progress lines a person would want to see
   * (`fetching golang@sha256:… (3 layers, 187 MB)`).
   */
  acquire(
    request: ImageRequest,
    options: { signal: AbortSignal; log?: (line: string) => void },
  ): Promise<RootfsLease>;
}

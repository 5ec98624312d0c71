/**
 * The one interface every image build in Sluice goes through (oci-build-task, the docker-image
 * resource's put, `sluice build image`, the dind jobs of other CI formats): a Dockerfile and its
 * context in, an image out as a tarball, pushed, or unpacked.
 */
import type { Credentials } from "../../oci/auth.ts";

export type ImageOutput =
  /** A `docker load`-able tarball whose image is tagged `name`. */
  | { kind: "docker-tarball"; file: string; name: string }
  /** An OCI image layout as a tarball. */
  | { kind: "oci-tarball"; file: string }
  /** An OCI image layout directory. */
  | { kind: "oci-layout"; dir: string }
  /** Pushed to every reference; a failed push tags nothing new. */
  | { kind: "push"; refs: string[] }
  /** The image's root filesystem, unpacked into an empty directory. */
  | { kind: "rootfs"; dir: string }
  /** The image's root filesystem as one tar file (the layers applied). */
  | { kind: "filesystem-tar"; file: string };

export interface ImageBuildRequest {
  contextDir: string;
  /** The Dockerfile's path (default `<contextDir>/Dockerfile`). */
  dockerfile?: string | undefined;
  target?: string | undefined;
  buildArgs?: Readonly<Record<string, string>> | undefined;
  labels?: Readonly<Record<string, string>> | undefined;
  /** Images on disk the Dockerfile names in `FROM NAME`: NAME → an OCI layout and its manifest's digest. */
  baseLayouts?: Readonly<Record<string, { dir: string; digest: string }>> | undefined;
  /** A directory the layer cache is imported from and exported to (oci-build-task's `cache`). */
  cacheDir?: string | undefined;
  outputs: readonly ImageOutput[];
  /** Registry host → credentials, for pulling bases and pushing; never written to a command line. */
  registryAuth?: ReadonlyMap<string, Credentials> | undefined;
  signal?: AbortSignal | undefined;
  /** The builder's progress, a line at a time as it happens. */
  log?: ((line: string) => void) | undefined;
  timeoutMs?: number | undefined;
}

export interface ImageBuildResult {
  /** `sha256:…` of the image's manifest; undefined when only a root filesystem (or nothing) was asked for. */
  digest: string | undefined;
  /** `sha256:…` of the image's config. */
  configDigest: string | undefined;
}

export interface ImageBuilder {
  build(request: ImageBuildRequest): Promise<ImageBuildResult>;
  /** Stops what the builder started (its daemon). */
  close(): Promise<void>;
}

/** A build that failed; the message is the builder's own (with the Dockerfile line when it has one). */
export class ImageBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImageBuildError";
  }
}

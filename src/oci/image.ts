import { gzipSync } from "node:zlib";
import { sha256Digest } from "./digest.ts";
import type { ImageConfig, ImageManifest } from "./manifest.ts";
import { MediaType } from "./media-types.ts";
import type { CallOptions, RegistryClient } from "./registry-client.ts";
import { createTar, type TarEntry } from "../common/tar.ts";

export interface ImageBlob {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
}

export interface GeneratedImage {
  config: ImageBlob;
  layers: ImageBlob[];
  /** The OCI image manifest; its digest is the image's digest. */
  manifest: ImageBlob;
}

export interface GenerateImageOptions {
  /** Path inside the image (no leading slash) → file content; parent directories are added. */
  files: Record<string, string | Uint8Array>;
  /** Tar entries written after the files, as they are (symlinks; hostile layers in tests). */
  entries?: readonly TarEntry[];
  /** RFC 3339 creation time for the config; omitted by default so equal files give equal digests. */
  created?: string;
}

/** A tiny single-layer linux/amd64 OCI image. Same input, same bytes, same digests. */
export function generateImage(options: GenerateImageOptions): GeneratedImage {
  const tar = createTar([...rootfsEntries(options.files), ...(options.entries ?? [])]);
  const layer = blob(MediaType.ociLayerGzip, deterministicGzip(tar));
  const config = blob(
    MediaType.ociConfig,
    Buffer.from(JSON.stringify(imageConfig(sha256Digest(tar), options.created))),
  );
  const manifest = blob(MediaType.ociManifest, Buffer.from(JSON.stringify(imageManifest(config, [layer]))));
  return { config, layers: [layer], manifest };
}

/** Pushes the blobs once, then the manifest under every tag (by digest alone when no tag is given). */
export async function pushImage(
  client: RegistryClient,
  repository: string,
  tags: readonly string[],
  image: GeneratedImage,
  options: CallOptions = {},
): Promise<{ digest: string }> {
  for (const item of [image.config, ...image.layers]) await client.pushBlob(repository, item.bytes, options);
  const references = tags.length > 0 ? tags : [image.manifest.digest];
  for (const reference of references) {
    await client.pushManifest(repository, reference, image.manifest.bytes, image.manifest.mediaType, options);
  }
  return { digest: image.manifest.digest };
}

function rootfsEntries(files: Record<string, string | Uint8Array>): TarEntry[] {
  const entries = new Map<string, TarEntry>();
  for (const [path, content] of Object.entries(files)) {
    const parts = path.split("/");
    for (let depth = 1; depth < parts.length; depth++) {
      const directory = parts.slice(0, depth).join("/");
      if (Object.hasOwn(files, directory))
        throw new Error(`image file ${directory} is also a directory of ${path}`);
      entries.set(directory, { type: "directory", path: directory });
    }
    entries.set(path, { type: "file", path, content });
  }
  return [...entries.keys()].sort().map((path) => entries.get(path) as TarEntry);
}

/** gzip of the tar with a zero mtime and an "unknown" OS byte, so the header never varies by host. */
function deterministicGzip(tar: Buffer): Buffer {
  const gzip = gzipSync(tar, { level: 9 });
  gzip.writeUInt32LE(0, 4);
  gzip[9] = 255;
  return gzip;
}

function imageConfig(diffId: string, created: string | undefined): ImageConfig {
  return {
    ...(created !== undefined ? { created } : {}),
    architecture: "amd64",
    os: "linux",
    config: {},
    rootfs: { type: "layers", diff_ids: [diffId] },
  };
}

function imageManifest(config: ImageBlob, layers: ImageBlob[]): ImageManifest {
  const descriptor = (item: ImageBlob) => ({
    mediaType: item.mediaType,
    digest: item.digest,
    size: item.size,
  });
  return {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: descriptor(config),
    layers: layers.map(descriptor),
  };
}

function blob(mediaType: string, bytes: Buffer): ImageBlob {
  return { mediaType, digest: sha256Digest(bytes), size: bytes.length, bytes };
}

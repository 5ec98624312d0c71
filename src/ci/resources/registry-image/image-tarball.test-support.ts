/** Tiny image tarballs for tests, as `docker save` and OCI tools write them. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { createTar, type TarEntry } from "../../../common/tar.ts";
import { sha256Digest } from "../../../oci/digest.ts";
import type { GeneratedImage, ImageBlob } from "../../../oci/image.ts";
import { MediaType } from "../../../oci/media-types.ts";

const hex = (blob: ImageBlob) => blob.digest.slice("sha256:".length);
const file = (path: string, content: string | Uint8Array): TarEntry => ({ type: "file", path, content });

/** An OCI image layout's entries (`oci-layout`, `index.json`, `blobs/sha256/…`), for a tarball or a directory. */
export function ociLayoutEntries(image: GeneratedImage, tag = "latest"): TarEntry[] {
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [
      {
        mediaType: image.manifest.mediaType,
        digest: image.manifest.digest,
        size: image.manifest.size,
        annotations: { "org.opencontainers.image.ref.name": tag },
      },
    ],
  };
  const blobs = [image.manifest, image.config, ...image.layers];
  return [
    file("oci-layout", JSON.stringify({ imageLayoutVersion: "1.0.0" })),
    file("index.json", JSON.stringify(index)),
    { type: "directory", path: "blobs" },
    { type: "directory", path: "blobs/sha256" },
    ...blobs.map((blob) => file(`blobs/sha256/${hex(blob)}`, blob.bytes)),
  ];
}

/** An image index over `images`, one per platform, as the bytes a registry or a layout stores. */
export function imageIndex(images: { image: GeneratedImage; architecture: string }[]): ImageBlob {
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: images.map(({ image, architecture }) => ({
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.size,
      platform: { os: "linux", architecture },
    })),
  };
  const bytes = Buffer.from(JSON.stringify(index));
  return { mediaType: MediaType.ociIndex, digest: sha256Digest(bytes), size: bytes.length, bytes };
}

/** Writes an OCI layout directory whose one entry is `index` over `images`. */
export async function writeIndexLayout(
  dir: string,
  index: ImageBlob,
  images: GeneratedImage[],
): Promise<void> {
  await mkdir(path.join(dir, "blobs", "sha256"), { recursive: true });
  await writeFile(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const top = { mediaType: index.mediaType, digest: index.digest, size: index.size };
  await writeFile(path.join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [top] }));
  const blobs = [index, ...images.flatMap((image) => [image.manifest, image.config, ...image.layers])];
  for (const blob of blobs) await writeFile(path.join(dir, "blobs", "sha256", hex(blob)), blob.bytes);
}

export function ociTarball(image: GeneratedImage, tag = "latest"): Buffer {
  return createTar(ociLayoutEntries(image, tag));
}

/** What `docker save` wrote before Docker 25: manifest.json, the config, uncompressed `<id>/layer.tar`s. */
export function dockerSaveTarball(image: GeneratedImage, repoTag: string): Buffer {
  const layers = image.layers.map((layer) => ({ id: hex(layer), tar: gunzipSync(layer.bytes) }));
  const manifest = [
    {
      Config: `${hex(image.config)}.json`,
      RepoTags: [repoTag],
      Layers: layers.map((l) => `${l.id}/layer.tar`),
    },
  ];
  return createTar([
    file("manifest.json", JSON.stringify(manifest)),
    file(`${hex(image.config)}.json`, image.config.bytes),
    ...layers.flatMap((layer): TarEntry[] => [
      { type: "directory", path: layer.id },
      file(`${layer.id}/layer.tar`, layer.tar),
    ]),
  ]);
}

/** Tiny image tarballs for tests, as `docker save` and OCI tools write them. */
import { gunzipSync } from "node:zlib";
import { createTar, type TarEntry } from "../../../common/tar.ts";
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

/** Downloads an image (one platform of it) into an OCI layout, every blob checked against its digest. */
import { readFile, writeFile } from "node:fs/promises";
import { ImageConfig, ImageIndex, ImageManifest, type Descriptor } from "../../../oci/manifest.ts";
import { MediaType } from "../../../oci/media-types.ts";
import type { FetchedManifest } from "../../../oci/registry-client.ts";
import { ResourceError } from "../resource.ts";
import { blobPath, createLayout, writeLayoutIndex } from "./oci-layout.ts";
import { parseJson } from "./parse-json.ts";
import type { Repository } from "./registry.ts";
import type { Platform } from "./source.ts";

export interface PulledImage {
  /** An OCI layout holding the image; its index names the manifest. */
  layoutDir: string;
  /** `sha256:…` of the platform's manifest. */
  manifestDigest: string;
  /** The platform's image manifest (not the index it was picked from). */
  manifest: ImageManifest;
  config: ImageConfig;
  /** The layers' files in the layout, base layer first, with their descriptors. */
  layers: { descriptor: Descriptor; file: string }[];
}

const indexTypes = new Set<string>([MediaType.ociIndex, MediaType.dockerManifestList]);

export async function pullImage(
  repository: Repository,
  digest: string,
  tag: string,
  platform: Platform,
  layoutDir: string,
  signal?: AbortSignal,
): Promise<PulledImage> {
  const options = signal ? { signal } : {};
  let fetched = await repository.client.getManifest(repository.name, digest, options);
  if (indexTypes.has(fetched.mediaType)) {
    const index = parseJson(ImageIndex, fetched.bytes, manifestWhat(repository, fetched));
    const chosen = choosePlatform(index, platform, repository);
    fetched = await repository.client.getManifest(repository.name, chosen, options);
  }
  const manifest = parseJson(ImageManifest, fetched.bytes, manifestWhat(repository, fetched));
  await createLayout(layoutDir);
  for (const blob of [manifest.config, ...manifest.layers]) {
    await repository.client.fetchBlob(repository.name, blob, blobPath(layoutDir, blob.digest), options);
  }
  await writeFile(blobPath(layoutDir, fetched.digest), fetched.bytes);
  const descriptor = { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.size };
  await writeLayoutIndex(layoutDir, descriptor, tag);
  const configBytes = await readFile(blobPath(layoutDir, manifest.config.digest));
  const config = parseJson(ImageConfig, configBytes, `${repository.display}@${digest}: the image config`);
  const layers = manifest.layers.map((layer) => ({
    descriptor: layer,
    file: blobPath(layoutDir, layer.digest),
  }));
  return { layoutDir, manifestDigest: fetched.digest, manifest, config, layers };
}

function choosePlatform(index: ImageIndex, platform: Platform, repository: Repository): string {
  const match = index.manifests.find(
    (m) => m.platform?.os === platform.os && m.platform.architecture === platform.architecture,
  );
  if (!match) {
    const offered = index.manifests.map((m) =>
      m.platform ? `${m.platform.os}/${m.platform.architecture}` : "?",
    );
    throw new ResourceError(
      "NotFound",
      `${repository.display} has no image for ${platform.os}/${platform.architecture} (it has ${offered.join(", ")}); set source.platform`,
    );
  }
  return match.digest;
}

function manifestWhat(repository: Repository, fetched: FetchedManifest): string {
  return `${repository.display}@${fetched.digest}: the manifest (${fetched.mediaType})`;
}

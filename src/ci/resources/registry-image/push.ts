/**
 * Pushes an image read from the inputs: every blob first (known ones skipped, mounted when they
 * can be, big ones in chunks; the registry checks each digest), then the manifests, then the tags.
 */
import { sha256Digest } from "../../../oci/digest.ts";
import type { PushableImage } from "./image-input.ts";
import type { Repository } from "./registry.ts";

export interface PushResult {
  digest: string;
  uploadedBlobs: number;
}

/** Nothing is tagged until everything it refers to is in the registry. */
export async function pushImageTo(
  repository: Repository,
  image: PushableImage,
  tags: readonly string[],
  signal?: AbortSignal,
  /** A repository of the same registry that likely holds the blobs (the base image of a build). */
  mountFrom?: string,
): Promise<PushResult> {
  const options = signal ? { signal } : {};
  const { client, name } = repository;
  let uploadedBlobs = 0;
  for (const blob of image.blobs) {
    const pushed = await client.pushBlobFile(name, blob, { ...options, ...(mountFrom ? { mountFrom } : {}) });
    if (pushed.uploaded) uploadedBlobs++;
  }
  for (const child of image.children) {
    await client.pushManifest(name, sha256Digest(child.bytes), child.bytes, child.mediaType, options);
  }
  const digest = sha256Digest(image.manifest.bytes);
  for (const tag of tags)
    await client.pushManifest(name, tag, image.manifest.bytes, image.manifest.mediaType, options);
  return { digest, uploadedBlobs };
}

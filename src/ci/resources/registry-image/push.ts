/** Pushes an image read from the inputs: every blob first (known ones skipped), then the manifests, then the tags. */
import { readFile } from "node:fs/promises";
import { sha256Digest } from "../../../oci/digest.ts";
import { ResourceError } from "../resource.ts";
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
): Promise<PushResult> {
  const options = signal ? { signal } : {};
  const { client, name } = repository;
  let uploadedBlobs = 0;
  for (const blob of image.blobs) {
    if (await client.blobExists(name, blob.digest, options)) continue;
    const bytes = await readFile(blob.file);
    if (sha256Digest(bytes) !== blob.digest) {
      throw new ResourceError("InvalidConfig", `the image's blob ${blob.digest} does not match its digest`);
    }
    await client.pushBlob(name, bytes, options);
    uploadedBlobs++;
  }
  for (const child of image.children) {
    await client.pushManifest(name, sha256Digest(child.bytes), child.bytes, child.mediaType, options);
  }
  const digest = sha256Digest(image.manifest.bytes);
  for (const tag of tags)
    await client.pushManifest(name, tag, image.manifest.bytes, image.manifest.mediaType, options);
  return { digest, uploadedBlobs };
}

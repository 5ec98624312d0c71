/**
 * What put pushes, read from the build's inputs: an OCI layout directory, or a tarball that holds
 * one (an OCI image tarball) or a `docker save` tarball (`manifest.json`); detected by content.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, open, stat } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { sha256Digest } from "../../../oci/digest.ts";
import { ImageIndex, ImageManifest, type Descriptor } from "../../../oci/manifest.ts";
import { MediaType } from "../../../oci/media-types.ts";
import type { BlobFile } from "../../../oci/registry-client.ts";
import { ResourceError } from "../resource.ts";
import { blobPath, checkRegularFile, isLayout, layoutManifest, readLayoutBytes } from "./oci-layout.ts";
import { parseJson } from "./parse-json.ts";
import { unpackTarball } from "./tarball.ts";

export interface ManifestBytes {
  mediaType: string;
  bytes: Buffer;
}

/** Everything to push: blobs first, then the manifests an index names, then the image's own manifest. */
export interface PushableImage {
  blobs: BlobFile[];
  children: ManifestBytes[];
  manifest: ManifestBytes;
}

const indexTypes = new Set<string>([MediaType.ociIndex, MediaType.dockerManifestList]);
const layerTar = "application/vnd.oci.image.layer.v1.tar";

const DockerSaveManifest = z
  .array(
    z.object({ Config: z.string(), RepoTags: z.array(z.string()).nullish(), Layers: z.array(z.string()) }),
  )
  .length(1, "a docker save tarball of exactly one image");

/** Reads `input` (a file or directory under the inputs); a tarball is extracted into `workDir`. */
export async function readImageInput(
  input: string,
  workDir: string,
  what: string,
  signal?: AbortSignal,
): Promise<PushableImage> {
  if ((await stat(input)).isDirectory()) {
    if (!(await isLayout(input)))
      throw new ResourceError(
        "InvalidConfig",
        `${what} is a directory but not an OCI layout (no oci-layout file)`,
      );
    return fromLayout(input, what);
  }
  const dir = await mkdtemp(path.join(workDir, "image-"));
  await unpackTarball(input, dir, what, signal);
  if (await isLayout(dir)) return fromLayout(dir, what);
  return fromDockerSave(dir, what);
}

async function fromLayout(layoutDir: string, what: string): Promise<PushableImage> {
  const top = await layoutManifest(layoutDir, what);
  const bytes = await readVerified(layoutDir, top, what);
  if (!indexTypes.has(top.mediaType)) {
    return {
      blobs: await imageBlobs(layoutDir, bytes, what),
      children: [],
      manifest: { mediaType: top.mediaType, bytes },
    };
  }
  const index = parseJson(ImageIndex, bytes, `${what}: the image index`, "InvalidConfig");
  const blobs: BlobFile[] = [];
  const children: ManifestBytes[] = [];
  for (const child of index.manifests) {
    const childBytes = await readVerified(layoutDir, child, what);
    blobs.push(...(await imageBlobs(layoutDir, childBytes, what)));
    children.push({ mediaType: child.mediaType, bytes: childBytes });
  }
  return { blobs, children, manifest: { mediaType: top.mediaType, bytes } };
}

async function imageBlobs(layoutDir: string, manifestBytes: Buffer, what: string): Promise<BlobFile[]> {
  const manifest = parseJson(ImageManifest, manifestBytes, `${what}: an image manifest`, "InvalidConfig");
  const blobs: BlobFile[] = [];
  for (const blob of [manifest.config, ...manifest.layers]) {
    const file = blobPath(layoutDir, blob.digest);
    await checkRegularFile(layoutDir, file, what);
    blobs.push({ digest: blob.digest, size: blob.size, file });
  }
  return blobs;
}

async function readVerified(layoutDir: string, descriptor: Descriptor, what: string): Promise<Buffer> {
  const bytes = await readLayoutBytes(layoutDir, blobPath(layoutDir, descriptor.digest), what);
  if (sha256Digest(bytes) !== descriptor.digest) {
    throw new ResourceError("InvalidConfig", `${what}: blob ${descriptor.digest} does not match its digest`);
  }
  return bytes;
}

/** A docker save tarball has the config and uncompressed (or gzipped) layer tars; an OCI manifest is made for them. */
async function fromDockerSave(dir: string, what: string): Promise<PushableImage> {
  const manifestBytes = await readLayoutBytes(
    dir,
    path.join(dir, "manifest.json"),
    `${what} (neither an OCI layout nor a docker save tarball)`,
  );
  const [entry] = parseJson(DockerSaveManifest, manifestBytes, `${what}: manifest.json`, "InvalidConfig");
  if (!entry) throw new ResourceError("InvalidConfig", `${what}: manifest.json lists no image`);
  const config = await describeFile(dir, entry.Config, MediaType.ociConfig, what);
  const layers = await Promise.all(
    entry.Layers.map(async (layer) => describeFile(dir, layer, await layerMediaType(dir, layer), what)),
  );
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: config.descriptor,
    layers: layers.map((layer) => layer.descriptor),
  };
  return {
    blobs: [config.blob, ...layers.map((layer) => layer.blob)],
    children: [],
    manifest: { mediaType: MediaType.ociManifest, bytes: Buffer.from(JSON.stringify(manifest)) },
  };
}

async function describeFile(
  dir: string,
  relative: string,
  mediaType: string,
  what: string,
): Promise<{ blob: BlobFile; descriptor: Descriptor }> {
  const file = path.resolve(dir, relative);
  if (!file.startsWith(dir + path.sep))
    throw new ResourceError("InvalidConfig", `${what}: ${relative} is outside the tarball`);
  await checkRegularFile(dir, file, what);
  const { digest, size } = await hashFile(file);
  return { blob: { digest, size, file }, descriptor: { mediaType, digest, size } };
}

async function layerMediaType(dir: string, relative: string): Promise<string> {
  const handle = await open(path.resolve(dir, relative));
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b ? MediaType.ociLayerGzip : layerTar;
  } finally {
    await handle.close();
  }
}

async function hashFile(file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

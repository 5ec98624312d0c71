/**
 * A single-layer linux/amd64 image written as an OCI image layout directory (`oci-layout`,
 * `index.json`, `blobs/sha256/…`), and read back for pushing. The layer is the root filesystem tar
 * gzip-compressed as a stream (never whole in memory); the same tar gives the same digests.
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { z } from "zod";
import { createTar } from "../../common/tar.ts";
import { sha256Digest } from "../../oci/digest.ts";
import { Descriptor, ImageConfig, ImageManifest } from "../../oci/manifest.ts";
import { MediaType } from "../../oci/media-types.ts";

export interface ImageSpec {
  /** The root filesystem tar, the image's only layer. */
  rootfsTar: string;
  /** Empty directories put before the tar's entries (mmdebstrap leaves /dev out with its device nodes). */
  leadingDirectories?: readonly string[];
  /** RFC 3339 */
  created: string;
  env: Readonly<Record<string, string>>;
  cmd: readonly string[];
  labels: Readonly<Record<string, string>>;
  /** index.json's `org.opencontainers.image.ref.name` */
  refName: string;
  /** the config history's `created_by` */
  createdBy: string;
}

/** A blob of the layout: its descriptor and the file holding it. */
export interface LayoutBlob extends Descriptor {
  file: string;
}

export interface LayoutImage {
  manifest: LayoutBlob;
  config: LayoutBlob;
  layers: LayoutBlob[];
}

const refNameAnnotation = "org.opencontainers.image.ref.name";

const ImageIndex = z.object({
  schemaVersion: z.literal(2),
  manifests: z.array(Descriptor).length(1, "a base image layout holds exactly one manifest"),
});

export async function writeImageLayout(dir: string, spec: ImageSpec): Promise<LayoutImage> {
  await mkdir(blobDir(dir), { recursive: true });
  await writeFile(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const { layer, diffId } = await writeLayer(dir, spec.rootfsTar, spec.leadingDirectories ?? []);
  const config = await writeBlob(
    dir,
    MediaType.ociConfig,
    Buffer.from(JSON.stringify(imageConfig(spec, diffId))),
  );
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: descriptor(config),
    layers: [descriptor(layer)],
  };
  const manifestBlob = await writeBlob(dir, MediaType.ociManifest, Buffer.from(JSON.stringify(manifest)));
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [{ ...descriptor(manifestBlob), annotations: { [refNameAnnotation]: spec.refName } }],
  };
  await writeFile(path.join(dir, "index.json"), JSON.stringify(index));
  return { manifest: manifestBlob, config, layers: [layer] };
}

/** The image of a layout written by {@link writeImageLayout}; a missing or damaged layout says which file. */
export async function readImageLayout(dir: string): Promise<LayoutImage> {
  const index = ImageIndex.parse(JSON.parse(await readFile(path.join(dir, "index.json"), "utf8")));
  const manifest = await checkedBlob(dir, index.manifests[0]!);
  const parsed = ImageManifest.parse(JSON.parse((await readFile(manifest.file)).toString("utf8")));
  return {
    manifest,
    config: layoutBlob(dir, parsed.config),
    layers: parsed.layers.map((layer) => layoutBlob(dir, layer)),
  };
}

/** The image config of a layout (small; read whole). */
export async function readImageConfig(image: LayoutImage): Promise<ImageConfig> {
  return ImageConfig.parse(JSON.parse(await readFile(image.config.file, "utf8")));
}

function imageConfig(spec: ImageSpec, diffId: string): ImageConfig {
  return {
    created: spec.created,
    architecture: "amd64",
    os: "linux",
    config: {
      Env: Object.entries(spec.env).map(([name, value]) => `${name}=${value}`),
      Cmd: [...spec.cmd],
      Labels: { ...spec.labels },
    },
    rootfs: { type: "layers", diff_ids: [diffId] },
    history: [{ created: spec.created, created_by: spec.createdBy }],
  };
}

/** Streams tar → gzip → blob file, hashing both sides: the diff ID (tar) and the layer digest (gzip). */
async function writeLayer(
  dir: string,
  tar: string,
  leadingDirectories: readonly string[],
): Promise<{ layer: LayoutBlob; diffId: string }> {
  const uncompressed = createHash("sha256");
  const compressed = createHash("sha256");
  let size = 0;
  const partial = path.join(blobDir(dir), "layer.partial");
  await pipeline(
    withLeadingDirectories(leadingDirectories, tar),
    hashing(uncompressed),
    createGzip({ level: 6 }),
    hashing(compressed, (n) => (size += n)),
    createWriteStream(partial),
  );
  const digest = `sha256:${compressed.digest("hex")}`;
  const file = blobFile(dir, digest);
  await rename(partial, file);
  return {
    layer: { mediaType: MediaType.ociLayerGzip, digest, size, file },
    diffId: `sha256:${uncompressed.digest("hex")}`,
  };
}

/** A tar is a sequence of entries: directory headers (without the end-of-archive blocks) then the file's. */
async function* withLeadingDirectories(directories: readonly string[], tar: string): AsyncGenerator<Buffer> {
  if (directories.length > 0) {
    const entries = createTar(directories.map((d) => ({ type: "directory", path: d }) as const));
    yield entries.subarray(0, entries.length - endOfArchiveBytes);
  }
  yield* createReadStream(tar);
}

const endOfArchiveBytes = 1024;

function hashing(hash: Hash, count?: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      count?.(chunk.length);
      done(null, chunk);
    },
  });
}

async function writeBlob(dir: string, mediaType: string, bytes: Buffer): Promise<LayoutBlob> {
  const digest = sha256Digest(bytes);
  const file = blobFile(dir, digest);
  await writeFile(file, bytes);
  return { mediaType, digest, size: bytes.length, file };
}

async function checkedBlob(dir: string, wanted: Descriptor): Promise<LayoutBlob> {
  const blob = layoutBlob(dir, wanted);
  const digest = sha256Digest(await readFile(blob.file));
  if (digest !== wanted.digest)
    throw new Error(`${blob.file} has digest ${digest}, expected ${wanted.digest}`);
  return blob;
}

function layoutBlob(dir: string, wanted: Descriptor): LayoutBlob {
  return {
    mediaType: wanted.mediaType,
    digest: wanted.digest,
    size: wanted.size,
    file: blobFile(dir, wanted.digest),
  };
}

function descriptor(blob: LayoutBlob): Descriptor {
  return { mediaType: blob.mediaType, digest: blob.digest, size: blob.size };
}

const blobDir = (dir: string) => path.join(dir, "blobs", "sha256");

function blobFile(dir: string, digest: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`unsupported digest ${JSON.stringify(digest)}`);
  return path.join(blobDir(dir), digest.slice("sha256:".length));
}

/** OCI image layout directories (`oci-layout`, `index.json`, `blobs/sha256/…`), written by get and read by put. */
import { lstat, mkdir, readFile, realpath, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { Descriptor } from "../../../oci/manifest.ts";
import { ImageIndex } from "../../../oci/manifest.ts";
import { MediaType } from "../../../oci/media-types.ts";
import { ResourceError } from "../resource.ts";
import { parseJson } from "./parse-json.ts";

const refNameAnnotation = "org.opencontainers.image.ref.name";
const LayoutMarker = z.object({ imageLayoutVersion: z.string() });

/** Where a blob lives in the layout; only sha256 digests name files. */
export function blobPath(layoutDir: string, digest: string): string {
  const hex = /^sha256:([a-f0-9]{64})$/.exec(digest)?.[1];
  if (hex === undefined) throw new ResourceError("Failed", `unsupported blob digest "${digest}"`);
  return path.join(layoutDir, "blobs", "sha256", hex);
}

export async function createLayout(layoutDir: string): Promise<void> {
  await mkdir(path.join(layoutDir, "blobs", "sha256"), { recursive: true });
  await writeFile(path.join(layoutDir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
}

/** Writes `index.json` naming the one image of the layout, under `tag`. */
export async function writeLayoutIndex(layoutDir: string, manifest: Descriptor, tag: string): Promise<void> {
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [{ ...manifest, annotations: { [refNameAnnotation]: tag } }],
  };
  await writeFile(path.join(layoutDir, "index.json"), JSON.stringify(index));
}

export async function isLayout(dir: string): Promise<boolean> {
  const marker = await lstat(path.join(dir, "oci-layout")).catch(() => undefined);
  return marker?.isFile() ?? false;
}

/** The layout's one top-level manifest (an image or an index); more than one is ambiguous. */
export async function layoutManifest(layoutDir: string, what: string): Promise<Descriptor> {
  const read = async (name: string) => readLayoutBytes(layoutDir, path.join(layoutDir, name), what);
  parseJson(LayoutMarker, await read("oci-layout"), `${what}: oci-layout`, "InvalidConfig");
  const index = parseJson(ImageIndex, await read("index.json"), `${what}: index.json`, "InvalidConfig");
  const [only, ...others] = index.manifests;
  if (!only || others.length > 0) {
    throw new ResourceError(
      "InvalidConfig",
      `${what}: index.json lists ${index.manifests.length} manifests; exactly one image is pushed`,
    );
  }
  return { mediaType: only.mediaType, digest: only.digest, size: only.size };
}

/** A regular file of the layout (never a link pointing elsewhere). */
export async function readLayoutBytes(layoutDir: string, file: string, what: string): Promise<Buffer> {
  await checkRegularFile(layoutDir, file, what);
  return readFile(file);
}

/**
 * Refuses a missing file, a link, or a file reached through a linked directory that leads out of
 * the image being read (an extracted tarball may hold such links).
 */
export async function checkRegularFile(layoutDir: string, file: string, what: string): Promise<void> {
  const shown = path.relative(layoutDir, file);
  const stat = await lstat(file).catch(() => undefined);
  if (!stat?.isFile()) {
    throw new ResourceError("InvalidConfig", `${what}: ${shown} is missing or not a regular file`);
  }
  const [root, real] = await Promise.all([realpath(layoutDir), realpath(file)]);
  if (!real.startsWith(root + path.sep)) {
    throw new ResourceError("InvalidConfig", `${what}: ${shown} leads outside the image`);
  }
}

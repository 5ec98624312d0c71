/**
 * Pushes the cached base images to a registry under their mirror names
 * (`<prefix>/docker.io/library/golang:1.19`), so `--registry-mirror docker.io=REGISTRY/<prefix>/docker.io`
 * resolves them. A repository whose tags all name the image's manifest already is skipped after
 * one HEAD per tag; otherwise its blobs go up once (the client skips blobs the repository has),
 * then the manifest under each tag.
 */
import { readFile } from "node:fs/promises";
import { RegistryError } from "../../oci/errors.ts";
import type { CallOptions, RegistryClient } from "../../oci/registry-client.ts";
import type { BaseImage } from "./build.ts";

/** Path prefix of the mirrors in the environment's registry. */
export const mirrorPrefix = "mirror";

export interface MirrorPushReport {
  /** every `repository:tag` pushed or found in place, under the prefix */
  references: string[];
  blobsUploaded: number;
  manifestsPushed: number;
}

export async function pushBaseImages(
  client: RegistryClient,
  images: readonly BaseImage[],
  options: CallOptions & { prefix?: string } = {},
): Promise<MirrorPushReport> {
  const report: MirrorPushReport = { references: [], blobsUploaded: 0, manifestsPushed: 0 };
  for (const image of images) {
    const blobs = lazily(() =>
      Promise.all([image.layout.config, ...image.layout.layers].map((b) => readFile(b.file))),
    );
    for (const [name, tags] of Object.entries(image.recipe.mirrors)) {
      const repository = `${options.prefix ?? mirrorPrefix}/${name}`;
      const stale = await tagsNotAt(client, repository, tags, image.layout.manifest.digest, options);
      if (stale.length > 0) {
        for (const bytes of await blobs()) {
          if ((await client.pushBlob(repository, bytes, options)).uploaded) report.blobsUploaded++;
        }
        const manifest = await readFile(image.layout.manifest.file);
        for (const tag of stale) {
          await client.pushManifest(repository, tag, manifest, image.layout.manifest.mediaType, options);
          report.manifestsPushed++;
        }
      }
      report.references.push(...tags.map((tag) => `${repository}:${tag}`));
    }
  }
  return report;
}

/** The tags that are missing from the repository or name another manifest. */
async function tagsNotAt(
  client: RegistryClient,
  repository: string,
  tags: readonly string[],
  digest: string,
  options: CallOptions,
): Promise<string[]> {
  const stale: string[] = [];
  for (const tag of tags) {
    try {
      if ((await client.headManifest(repository, tag, options)).digest !== digest) stale.push(tag);
    } catch (error) {
      if (!(error instanceof RegistryError && error.status === 404)) throw error;
      stale.push(tag);
    }
  }
  return stale;
}

function lazily<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

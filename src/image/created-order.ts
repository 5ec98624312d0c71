/**
 * Weave Flux v1's order for `glob:` and `regex:` tag filters: of the tags that match, the image
 * created last (its config's `created`), not the tag last in byte order. ImagePolicy has no such
 * order, so the policies Sluice generates for v1 workloads carry an annotation that asks for it
 * (ADR 0024); the creation times are read from the registry, once per image digest.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { compareByteOrder } from "../common/byte-order.ts";
import { ImageConfig, ImageIndex, ImageManifest } from "../oci/manifest.ts";
import type { RegistryClient } from "../oci/registry-client.ts";

/** On an ImagePolicy: `created` orders the filtered tags by their images' creation time. */
export const tagOrderAnnotation = "image.sluice.dev/tag-order";

/** The tag whose image was created last; unknown times count as oldest, ties go to the later tag in byte order. */
export async function newestByCreation(
  tags: readonly string[],
  createdOf: (tag: string) => Promise<number | undefined>,
): Promise<string | undefined> {
  let best: { tag: string; at: number } | undefined;
  for (const tag of tags) {
    const at = (await createdOf(tag)) ?? Number.NEGATIVE_INFINITY;
    const later = !best || at > best.at || (at === best.at && compareByteOrder(tag, best.tag) > 0);
    if (later) best = { tag, at };
  }
  return best?.tag;
}

/** Creation times by manifest digest, bounded (the oldest entries go first). */
export class CreationTimes {
  readonly #byDigest = new Map<string, number | undefined>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  /** `repository:tag`'s creation time (epoch ms), from the registry unless its digest was seen. */
  async of(
    client: RegistryClient,
    repository: string,
    tag: string,
    signal: AbortSignal,
  ): Promise<number | undefined> {
    const { digest } = await client.headManifest(repository, tag, { signal });
    if (this.#byDigest.has(digest)) return this.#byDigest.get(digest);
    const at = await readCreated(client, repository, digest, signal);
    this.#byDigest.set(digest, at);
    if (this.#byDigest.size > this.#max) this.#byDigest.delete(this.#byDigest.keys().next().value!);
    return at;
  }
}

/** The `created` of an image (for an index: its linux/amd64 image, else its first). */
async function readCreated(
  client: RegistryClient,
  repository: string,
  digest: string,
  signal: AbortSignal,
): Promise<number | undefined> {
  let document: unknown = JSON.parse(
    (await client.getManifest(repository, digest, { signal })).bytes.toString("utf8"),
  );
  const index = ImageIndex.safeParse(document);
  if (index.success) {
    const chosen =
      index.data.manifests.find((m) => m.platform?.os === "linux" && m.platform.architecture === "amd64") ??
      index.data.manifests[0];
    if (!chosen) return undefined;
    document = JSON.parse(
      (await client.getManifest(repository, chosen.digest, { signal })).bytes.toString("utf8"),
    );
  }
  const manifest = ImageManifest.safeParse(document);
  if (!manifest.success) return undefined;
  const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-image-config-"));
  try {
    const file = path.join(dir, "config.json");
    await client.fetchBlob(repository, manifest.data.config, file, { signal });
    const config = ImageConfig.safeParse(JSON.parse(await readFile(file, "utf8")));
    const at = config.success && config.data.created ? Date.parse(config.data.created) : Number.NaN;
    return Number.isNaN(at) ? undefined : at;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A Kustomization's source artifact, as the controller and `sluice build` / `sluice diff` get it:
 * read from the source's status, downloaded and checked against its digest.
 */
import { createHash } from "node:crypto";
import { request } from "undici";
import { fluxApiVersions } from "../api/kinds.ts";
import type { KubeObject } from "../kube/objects.ts";

/**
 * The artifact cannot be had (Flux's ArtifactFailed). `stalled` marks what retrying cannot fix
 * until the Kustomization changes.
 */
export class SourceArtifactError extends Error {
  readonly stalled: boolean;

  constructor(message: string, options: { stalled?: boolean } = {}) {
    super(message);
    this.name = "SourceArtifactError";
    this.stalled = options.stalled ?? false;
  }
}

export interface SourceArtifact {
  revision: string;
  digest: string;
  url: string;
}

type Source = KubeObject & { status?: { artifact?: SourceArtifact } };

export interface SourceRef {
  kind: string;
  name: string;
  namespace?: string | undefined;
}

export const sourceApiVersions: Record<string, string> = { GitRepository: fluxApiVersions.GitRepository };

/** The source's current artifact, or a retryable ArtifactFailed naming what is missing. */
export function artifactOf(
  ref: SourceRef,
  namespace: string,
  lookup: (kind: string, ns: string, name: string) => KubeObject | undefined,
): SourceArtifact {
  const ns = ref.namespace ?? namespace;
  const subject = `${ref.kind}/${ns}/${ref.name}`;
  if (!sourceApiVersions[ref.kind]) {
    throw new SourceArtifactError(
      `source kind ${ref.kind} is not supported yet (supported: ${Object.keys(sourceApiVersions).join(", ")})`,
      { stalled: true },
    );
  }
  const source = lookup(ref.kind, ns, ref.name) as Source | undefined;
  if (!source) throw new SourceArtifactError(`Source '${subject}' not found`);
  const artifact = source.status?.artifact;
  if (!artifact?.url || !artifact.digest)
    throw new SourceArtifactError(`Source '${subject}' is not ready, artifact not found`);
  return artifact;
}

/** Downloads artifacts and keeps the few most recent by digest: many Kustomizations share one source. */
export class ArtifactFetcher {
  readonly #cache = new Map<string, Promise<Buffer>>();
  readonly #max: number;

  constructor(max = 16) {
    this.#max = max;
  }

  fetch(artifact: SourceArtifact, signal: AbortSignal): Promise<Buffer> {
    const hit = this.#cache.get(artifact.digest);
    if (hit) return hit;
    const bytes = download(artifact, signal);
    this.#cache.set(artifact.digest, bytes);
    bytes.catch(() => this.#cache.delete(artifact.digest));
    while (this.#cache.size > this.#max) this.#cache.delete(this.#cache.keys().next().value!);
    return bytes;
  }
}

async function download(artifact: SourceArtifact, signal: AbortSignal): Promise<Buffer> {
  let res;
  try {
    res = await request(artifact.url, { signal, headersTimeout: 30_000, bodyTimeout: 60_000 });
  } catch (err) {
    throw new SourceArtifactError(
      `failed to download artifact from ${artifact.url}: ${(err as Error).message}`,
    );
  }
  const bytes = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode !== 200) {
    throw new SourceArtifactError(`failed to download artifact from ${artifact.url}: HTTP ${res.statusCode}`);
  }
  const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  if (digest !== artifact.digest) {
    throw new SourceArtifactError(
      `artifact from ${artifact.url} has digest ${digest}, expected ${artifact.digest}`,
    );
  }
  return bytes;
}

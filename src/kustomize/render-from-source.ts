/**
 * The objects the controller would apply for a Kustomization, built from its source's current
 * artifact (downloaded from the artifact server and checked against its digest) or from an
 * artifact the caller packed (`sluice build --path`). Shared by the CLI's build and diff and the
 * web UI's diff.
 */
import { parseDuration } from "../api/duration.ts";
import type { Kustomization } from "../api/kustomize/kustomization/index.ts";
import type { KubeClient } from "../kube/client.ts";
import { isNotFound } from "../kube/errors.ts";
import type { KubeObject } from "../kube/objects.ts";
import { buildSettings, withOwnerLabels } from "./build-settings.ts";
import { buildManifests } from "./index.ts";
import { ArtifactFetcher, artifactOf, sourceApiVersions } from "./source-artifact.ts";
import { variableLookup } from "./substitute-from.ts";

export interface PackedArtifact {
  bytes: Uint8Array;
  revision: string;
  path: string | undefined;
}

export interface RenderOptions {
  kustomizeBinary: string;
  signal: AbortSignal;
  strictSubstitution?: boolean;
  /** Build this instead of the source's artifact. */
  artifact?: PackedArtifact | undefined;
}

/** The source's current artifact, downloaded from its URL and checked against its digest. */
async function sourceArtifact(
  client: KubeClient,
  ks: Kustomization,
  signal: AbortSignal,
): Promise<PackedArtifact> {
  const ref = ks.spec.sourceRef;
  const ns = ref.namespace ?? ks.metadata.namespace!;
  const apiVersion = sourceApiVersions[ref.kind];
  let source: KubeObject | undefined;
  if (apiVersion) {
    source = await client.get(apiVersion, ref.kind, ref.name, ns).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  }
  const artifact = artifactOf(ref, ns, () => source);
  const bytes = await new ArtifactFetcher().fetch(artifact, signal);
  return { bytes, revision: artifact.revision, path: ks.spec.path };
}

export async function renderFromSource(
  client: KubeClient,
  ks: Kustomization,
  options: RenderOptions,
): Promise<KubeObject[]> {
  const { spec } = ks;
  const artifact = options.artifact ?? (await sourceArtifact(client, ks, options.signal));
  const built = await buildManifests({
    artifact: artifact.bytes,
    revision: artifact.revision,
    path: artifact.path,
    kustomization: buildSettings(spec),
    lookupVars: variableLookup(client, ks.metadata.namespace!),
    kustomizeBinary: options.kustomizeBinary,
    signal: options.signal,
    timeoutMs: parseDuration(spec.timeout ?? spec.interval),
    strictSubstitution: options.strictSubstitution ?? false,
  });
  return withOwnerLabels(built, ks);
}

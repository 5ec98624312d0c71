/**
 * From a source artifact and a Kustomization's build settings to the objects to apply, as
 * kustomize-controller builds them: extract, locate `path`, generate or amend the kustomization
 * file, `kustomize build`, post-build substitution, commonMetadata.
 */
import type { KubeObject } from "../kube/objects.ts";
import { kustomizeBuild } from "./build.ts";
import { type KustomizeSettings, prepareKustomization } from "./generate.ts";
import { type CommonMetadata, applyCommonMetadata } from "./metadata.ts";
import { type PostBuild, type VariableLookup, resolveVariables, substituteObjects } from "./substitute.ts";
import type { ExtractedArtifacts } from "./extracted-artifacts.ts";
import { buildPlainDirectory } from "./plain-directory.ts";
import { createWorkspace, resolveBuildPath, type Workspace } from "./workspace.ts";

export interface KustomizationBuildSpec extends KustomizeSettings {
  commonMetadata?: CommonMetadata | undefined;
  postBuild?: PostBuild | undefined;
}

export interface BuildManifestsOptions {
  /** The source artifact: a `.tar.gz`. */
  artifact: Uint8Array;
  /** The artifact's revision, for messages. */
  revision: string;
  /**
   * The artifact's digest: with `extracted`, the artifact is extracted once per digest and shared
   * by builds, each copying only what its path reaches.
   */
  digest?: string | undefined;
  extracted?: ExtractedArtifacts | undefined;
  /** Directory in the artifact to build; its root when empty. */
  path?: string | undefined;
  kustomization: KustomizationBuildSpec;
  /** Reads `substituteFrom` ConfigMaps and Secrets; only called when the Kustomization has a postBuild. */
  lookupVars: VariableLookup;
  kustomizeBinary: string;
  signal?: AbortSignal | undefined;
  /** Limits the kustomize process. */
  timeoutMs?: number | undefined;
  /** Fail on undefined variables without a default (Flux's StrictPostBuildSubstitutions). */
  strictSubstitution?: boolean | undefined;
  /** Bounds the uncompressed artifact. */
  maxArtifactBytes?: number | undefined;
  /** Bounds kustomize's output. */
  maxOutputBytes?: number | undefined;
  /** Where the temporary workspace is created; the system temporary directory by default. */
  workDir?: string | undefined;
}

/** The objects a Kustomization applies for this artifact; the temporary workspace is always removed. */
export async function buildManifests(options: BuildManifestsOptions): Promise<KubeObject[]> {
  options.signal?.throwIfAborted();
  const { workspace, dir } = await openWorkspace(options);
  try {
    const built =
      (await buildPlainDirectory(dir, options.kustomization)) ??
      (await buildWithKustomize(dir, workspace, options));
    const postBuild = options.kustomization.postBuild;
    const variables = postBuild === undefined ? {} : await resolveVariables(postBuild, options.lookupVars);
    const substituted = substituteObjects(built, variables, { strict: options.strictSubstitution });
    return applyCommonMetadata(substituted, options.kustomization.commonMetadata);
  } finally {
    await workspace.dispose();
  }
}

async function buildWithKustomize(
  dir: string,
  workspace: Workspace,
  options: BuildManifestsOptions,
): Promise<KubeObject[]> {
  await prepareKustomization(dir, options.kustomization);
  return kustomizeBuild({
    binary: options.kustomizeBinary,
    root: workspace.root,
    dir,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    maxOutputBytes: options.maxOutputBytes,
  });
}

async function openWorkspace(options: BuildManifestsOptions): Promise<{ workspace: Workspace; dir: string }> {
  const limits = { maxBytes: options.maxArtifactBytes, tmpDir: options.workDir };
  if (options.extracted && options.digest) {
    return options.extracted.workspaceFor(
      options.digest,
      options.artifact,
      options.path ?? "",
      options.revision,
      limits,
    );
  }
  const workspace = await createWorkspace(options.artifact, limits);
  try {
    return { workspace, dir: await resolveBuildPath(workspace.root, options.path ?? "", options.revision) };
  } catch (err) {
    await workspace.dispose();
    throw err;
  }
}

export { ExtractedArtifacts } from "./extracted-artifacts.ts";
export { kustomizeBuild, parseBuildOutput } from "./build.ts";
export * from "./errors.ts";
export { envsubst } from "./envsubst.ts";
export { type KustomizeSettings, listManifestResources, prepareKustomization } from "./generate.ts";
export { kustomizeBuilds, setKustomizeConcurrency } from "./limiter.ts";
export { type CommonMetadata, applyCommonMetadata } from "./metadata.ts";
export {
  type PostBuild,
  type SubstituteReference,
  type VariableLookup,
  resolveVariables,
  substituteObjects,
} from "./substitute.ts";
export { type Workspace, createWorkspace, resolveBuildPath } from "./workspace.ts";

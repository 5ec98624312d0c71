/**
 * What `build` and `diff kustomization` share: the objects the controller would apply for a
 * Kustomization, built on this machine the way the controller builds them (same kustomize, same
 * generated kustomization.yaml, postBuild variables read from the cluster, owner labels), from
 * the source's current artifact or from a local directory.
 */
import { lstat, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { InvalidObjectError } from "../../api/errors.ts";
import { parseKustomization, type Kustomization } from "../../api/kustomize/kustomization/index.ts";
import { SourceArtifactError } from "../../kustomize/source-artifact.ts";
import { renderFromSource, type PackedArtifact } from "../../kustomize/render-from-source.ts";
import { upstreamBinary } from "../../common/toolchain.ts";
import type { KubeClient } from "../../kube/client.ts";
import type { KubeObject } from "../../kube/objects.ts";
import { KustomizeError } from "../../kustomize/index.ts";
import { buildIgnoreMatcher } from "../../source/ignore.ts";
import { ArchiveTooLargeError } from "../../source/tar-gz.ts";
import { archiveDirectory, loadSourceIgnoreFiles } from "../../source/tree-archive.ts";
import { SluiceError } from "../../common/errors.ts";
import { objectName, usageError } from "./flags.ts";
import { commandGroup, getObject, kindCommand, kustomizationKind } from "./kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "./kube-flags.ts";

export interface BuildFlags extends KubeFlags {
  path?: string;
  strictSubstitute: boolean;
  kustomize?: string;
}

/** A local directory to build instead of the source's artifact. */
export interface LocalSource {
  /** what is archived: the enclosing git work tree (so `../base` references resolve), else the directory */
  root: string;
  /** the directory, relative to `root` */
  path: string;
}

/**
 * Registers `VERB kustomization NAME` (in the group `VERB`, described as `summary`) with the
 * cluster flags, --path, --strict-substitute and --kustomize; the caller adds the action.
 */
export function kustomizationBuildCommand(
  program: Command,
  verb: string,
  summary: string,
  description: string,
): Command {
  return addKubeFlags(
    kindCommand(commandGroup(program, verb, summary), verb, kustomizationKind.words, kustomizationKind)
      .description(description)
      .argument("<name>", "name of the Kustomization"),
  )
    .option(
      "--path <dir>",
      "build this local directory instead of the source's current artifact (its git work tree is packaged, so '../' references resolve)",
    )
    .option("--strict-substitute", "fail on postBuild variables that have no value and no default", false)
    .option("--kustomize <path>", "kustomize binary (default: the pinned build)");
}

async function gitWorkTree(dir: string): Promise<string | undefined> {
  for (let at = dir; ; at = path.dirname(at)) {
    if (
      await lstat(path.join(at, ".git")).then(
        () => true,
        () => false,
      )
    )
      return at;
    if (path.dirname(at) === at) return undefined;
  }
}

/** Checks --path before any call to the cluster: a missing directory is a usage error. */
async function localSource(dir: string | undefined): Promise<LocalSource | undefined> {
  if (dir === undefined) return undefined;
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw usageError(`--path "${dir}" does not exist`);
  if (!info.isDirectory()) throw usageError(`--path "${dir}" is not a directory`);
  const real = await realpath(dir);
  const root = (await gitWorkTree(real)) ?? real;
  return { root, path: path.relative(root, real) };
}

/** The Kustomization in the v1 shape (older versions converted), as the controller reads it. */
async function loadKustomization(client: KubeClient, name: string, ns: string): Promise<Kustomization> {
  const raw = await getObject(client, kustomizationKind, name, ns);
  try {
    return parseKustomization(raw).object;
  } catch (err) {
    if (err instanceof InvalidObjectError) throw new SluiceError(err.message, { cause: err });
    throw err;
  }
}

/** The local directory as an artifact, packaged as a source would be (`.sourceignore` applies). */
async function packLocal(local: LocalSource): Promise<PackedArtifact> {
  const matcher = buildIgnoreMatcher({ sourceIgnoreFiles: await loadSourceIgnoreFiles(local.root) });
  try {
    const archive = await archiveDirectory(local.root, matcher);
    return { bytes: archive.bytes, revision: `local directory ${local.root}`, path: local.path };
  } catch (err) {
    if (err instanceof ArchiveTooLargeError) throw new SluiceError(err.message, { cause: err });
    throw err;
  }
}

/** What failed while fetching or building, as a message for a person. */
function explain(err: unknown, local: LocalSource | undefined): unknown {
  if (err instanceof SourceArtifactError && err.message.startsWith("failed to download")) {
    return new SluiceError(err.message, {
      cause: err,
      hint: "the artifact URL may only be reachable inside the cluster: build a local checkout with --path DIR",
    });
  }
  if (err instanceof SourceArtifactError || err instanceof KustomizeError) {
    const where = local ? ` (building ${path.join(local.root, local.path)})` : "";
    return new SluiceError(`${err.message}${where}`, { cause: err });
  }
  return err;
}

/**
 * What `build` and `diff` start with: NAME and --path checked before any call to the cluster,
 * then, connected, the Kustomization read in the v1 shape and handed to `use`.
 */
export async function withKustomization<T>(
  name: string,
  flags: BuildFlags,
  use: (client: KubeClient, ks: Kustomization, local: LocalSource | undefined) => Promise<T>,
): Promise<T> {
  objectName(kustomizationKind.kind, name);
  const local = await localSource(flags.path);
  return withCluster(flags, async (client) =>
    use(client, await loadKustomization(client, name, flags.namespace), local),
  );
}

/** The objects the controller would apply for `ks`, built from `local` or the source's artifact. */
export async function renderKustomization(
  client: KubeClient,
  ks: Kustomization,
  local: LocalSource | undefined,
  flags: BuildFlags,
): Promise<KubeObject[]> {
  const signal = AbortSignal.timeout(flags.timeout);
  try {
    return await renderFromSource(client, ks, {
      kustomizeBinary: flags.kustomize ?? (await upstreamBinary("kustomize")),
      signal,
      strictSubstitution: flags.strictSubstitute,
      artifact: local ? await packLocal(local) : undefined,
    });
  } catch (err) {
    throw explain(err, local);
  }
}

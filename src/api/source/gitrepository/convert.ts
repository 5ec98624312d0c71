/** Conversion of any served GitRepository version to v1, the version the controller works in. */
import { parseOrThrow, describeObject } from "../../errors.ts";
import { Artifact, type AccessFrom, type LocalObjectReference, type ObjectMeta } from "../../meta.ts";
import * as v1 from "./v1.ts";

export interface Converted {
  object: v1.GitRepository;
  /** Paths of deprecated fields the object carried, e.g. `spec.gitImplementation`; report them once. */
  deprecated: string[];
}

interface LooseArtifact {
  path: string;
  url: string;
  revision?: string;
  digest?: string;
  checksum?: string;
  lastUpdateTime?: string;
  size?: number;
  metadata?: Record<string, string>;
}

/** What objects of every served version have in common, as far as conversion needs. */
export interface Convertible {
  apiVersion: string;
  kind: typeof v1.GitRepository.shape.kind.value;
  metadata: ObjectMeta;
  spec: Omit<v1.GitRepositorySpec, "verify"> & {
    verify?: { mode: string; secretRef?: LocalObjectReference };
    gitImplementation?: string;
    accessFrom?: AccessFrom;
  };
  status: Omit<v1.GitRepositoryStatus, "artifact" | "includedArtifacts"> & {
    artifact?: LooseArtifact;
    includedArtifacts?: LooseArtifact[];
    url?: string;
    contentConfigChecksum?: string;
  };
}

/**
 * The v1 form of `obj`. Fields v1 no longer has are dropped and listed in `deprecated`; an old
 * artifact `checksum` becomes its `digest`. Throws InvalidObjectError when the result is not a
 * valid v1 object (for example a v1beta1 `verify` without the `secretRef` v1 requires).
 */
export function convertToV1(obj: Convertible): Converted {
  const deprecated = new Set<string>();
  const { gitImplementation, accessFrom, ...spec } = obj.spec;
  if (gitImplementation !== undefined) deprecated.add("spec.gitImplementation");
  if (accessFrom !== undefined) deprecated.add("spec.accessFrom");

  const { url, contentConfigChecksum, artifact, includedArtifacts, ...status } = obj.status;
  if (url !== undefined) deprecated.add("status.url");
  if (contentConfigChecksum !== undefined) deprecated.add("status.contentConfigChecksum");
  const converted: Record<string, unknown> = { ...status };
  if (artifact) {
    const a = convertArtifact(artifact, "status.artifact", deprecated);
    if (a) converted["artifact"] = a;
  }
  if (includedArtifacts) {
    converted["includedArtifacts"] = includedArtifacts.flatMap(
      (a) => convertArtifact(a, "status.includedArtifacts[]", deprecated) ?? [],
    );
  }
  const candidate = {
    apiVersion: v1.API_VERSION,
    kind: obj.kind,
    metadata: obj.metadata,
    spec,
    status: converted,
  };
  const object = parseOrThrow(v1.GitRepository, candidate, describeObject(obj, obj.kind));
  return { object, deprecated: [...deprecated] };
}

// Flux's v1beta1 and v1beta2 artifacts carried a bare hex checksum (SHA-1 at first, later SHA-256).
function digestFromChecksum(checksum: string | undefined): string | undefined {
  if (checksum === undefined) return undefined;
  if (/^[a-f0-9]{64}$/.test(checksum)) return `sha256:${checksum}`;
  if (/^[a-f0-9]{40}$/.test(checksum)) return `sha1:${checksum}`;
  return undefined;
}

/** An artifact that cannot be a v1 artifact is dropped (and reported): the next reconcile rebuilds it. */
function convertArtifact(a: LooseArtifact, path: string, deprecated: Set<string>): Artifact | undefined {
  const { checksum, ...rest } = a;
  if (checksum !== undefined) deprecated.add(`${path}.checksum`);
  const digest = rest.digest ?? digestFromChecksum(checksum);
  const result = Artifact.safeParse(digest === undefined ? rest : { ...rest, digest });
  if (result.success) return result.data;
  deprecated.add(path);
  return undefined;
}

/**
 * Failures of turning a source artifact into manifests. `reason` is the Flux condition reason a
 * reconciler reports them under: ArtifactFailed when the artifact lacks the path, BuildFailed
 * for everything that goes wrong while building it.
 */
export type KustomizeFailureReason = "ArtifactFailed" | "BuildFailed";

export class KustomizeError extends Error {
  readonly reason: KustomizeFailureReason;

  constructor(reason: KustomizeFailureReason, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "KustomizeError";
    this.reason = reason;
  }
}

/** The Kustomization `path` is not in the artifact, or is not a directory. */
export class PathNotFoundError extends KustomizeError {
  readonly path: string;

  constructor(path: string, revision: string, detail = "not found") {
    super("ArtifactFailed", `path '${path}' ${detail} in revision '${revision}'`);
    this.name = "PathNotFoundError";
    this.path = path;
  }
}

/** A path, reference or symlink that would lead outside the extracted artifact. */
export class PathEscapeError extends KustomizeError {
  constructor(message: string) {
    super("BuildFailed", message);
    this.name = "PathEscapeError";
  }
}

/** Something kustomize could do that Sluice refuses: remote resources, helmCharts. */
export class UnsupportedKustomizationError extends KustomizeError {
  constructor(message: string) {
    super("BuildFailed", message);
    this.name = "UnsupportedKustomizationError";
  }
}

export type BuildFailure = "exit" | "timeout" | "aborted" | "spawn" | "output-limit" | "invalid-output";

/** `kustomize build` failed; `stderr` is kustomize's own message with workspace paths made relative. */
export class BuildError extends KustomizeError {
  readonly failure: BuildFailure;
  readonly stderr: string;

  constructor(failure: BuildFailure, message: string, stderr = "") {
    super("BuildFailed", message);
    this.name = "BuildError";
    this.failure = failure;
    this.stderr = stderr;
  }
}

/** Post-build variable substitution failed; `object` names the object (Kind/namespace/name) when one is at fault. */
export class SubstitutionError extends KustomizeError {
  readonly object: string | undefined;

  constructor(message: string, object?: string) {
    super("BuildFailed", object === undefined ? message : `${object}: ${message}`);
    this.name = "SubstitutionError";
    this.object = object;
  }
}

/** A `substituteFrom` ConfigMap or Secret that does not exist and is not optional; it may appear later. */
export class VariablesNotFoundError extends SubstitutionError {
  readonly kind: string;
  readonly sourceName: string;

  constructor(kind: string, name: string) {
    super(`substituteFrom ${kind} '${name}' not found (set optional: true to proceed without it)`);
    this.name = "VariablesNotFoundError";
    this.kind = kind;
    this.sourceName = name;
  }
}

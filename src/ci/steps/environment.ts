/**
 * What the leaf steps of one build run against, beyond their RunContext: the store, the
 * built-in resources, the pipeline's config and record, the build's recorded inputs, and the
 * versions this build's puts produced so far.
 */
import type { Version } from "../pipeline/fields.ts";
import type { Pipeline } from "../pipeline/index.ts";
import type { BuiltinResources } from "../resources/builtin.ts";
import type { CustomResourceTypes } from "../resources/custom/container-resource.ts";
import type { BuildInputRecord, BuildRecord, CiStore, PipelineRecord } from "../store/store.ts";

export interface StepEnvironment {
  store: CiStore;
  resources: BuiltinResources;
  /** Runs the types a pipeline declares in resource_types; without it their steps error. */
  customTypes?: CustomResourceTypes | undefined;
  build: BuildRecord;
  pipeline: PipelineRecord;
  config: Pipeline;
  inputs: readonly BuildInputRecord[];
  /** By resource name: a later get of that resource fetches this version, as Concourse plans it. */
  putVersions: Map<string, Version>;
  /** The names of the artifacts produced so far (`inputs: all`). */
  artifactNames(): string[];
  /** A new empty directory inside the build's directory, for a step's own use. */
  scratchDirectory(purpose: string): Promise<string>;
}

/**
 * What scheduling reads from storage, as narrow questions a SQL store answers with one indexed
 * query each. Versions and builds are addressed by resource and job names within one pipeline;
 * the store maps them to its own ids.
 */
import type { Version } from "../pipeline/fields.ts";

/** A version of a resource as its checks saved it. */
export interface StoredVersion {
  /** The store's id of the version, stable across re-emission. */
  id: number;
  version: Version;
  /** Position in check order; a version a check emits again moves to the end. */
  checkOrder: number;
}

/** The versions of each resource, in check order, with their disabled flags. */
export interface VersionHistory {
  /** The enabled version with the highest check order. */
  latestVersion(resource: string): Promise<StoredVersion | undefined>;
  /** The enabled version with the lowest check order above `checkOrder`. */
  nextVersionAfter(resource: string, checkOrder: number): Promise<StoredVersion | undefined>;
  /** The enabled version with the highest check order at or below `checkOrder`. */
  latestVersionUpTo(resource: string, checkOrder: number): Promise<StoredVersion | undefined>;
  /** The newest version (disabled or not) whose fields include all of `fields`: a pin's match. */
  findVersion(resource: string, fields: Version): Promise<StoredVersion | undefined>;
  /** Whether the resource has any version at all, enabled or not. */
  hasAnyVersion(resource: string): Promise<boolean>;
}

/** A version a build used: one of its inputs or one of its outputs. */
export interface UsedVersion {
  resource: string;
  version: StoredVersion;
  disabled: boolean;
}

/** A succeeded build of a job and every version it took in or put out. */
export interface PassedBuild {
  id: number;
  name: string;
  versions: UsedVersion[];
}

/** The builds of each job and the versions they used. */
export interface BuildHistory {
  /**
   * The succeeded builds of `job` whose inputs or outputs include every version id in
   * `including` (an empty list for all), newest first with reruns next to the build they rerun.
   * With `after` (a build id), the builds newer than it come first, oldest first, then the
   * others newest first: how `version: every` walks through what passed. Iterated lazily, so a
   * store can page.
   */
  succeededBuilds(job: string, including: readonly number[], after?: number): AsyncIterable<PassedBuild>;
  /** The version of `resource` with the highest check order that a build of `job` had as input. */
  newestVersionUsed(job: string, resource: string): Promise<StoredVersion | undefined>;
  /**
   * For the build of `job` that used the version of `resource` with the highest check order,
   * the build of each passed job its inputs came from (what resolution's `passedBuilds` recorded).
   */
  passedBuildsOfNewestUse(job: string, resource: string): Promise<ReadonlyMap<string, number>>;
  /** Whether a build of `job`, whatever its status, had `versionId` as its input named `input`. */
  hasUsedVersion(job: string, input: string, versionId: number): Promise<boolean>;
}

/** Reading image tags as semantic versions, the way registry-image-resource does (Masterminds semver). */
import { compareVersions, parseVersion, type SemVer } from "../../../semver/version.ts";
import type { FluxRange } from "../../../semver/range.ts";

export interface VersionTag {
  tag: string;
  version: SemVer;
}

/**
 * The tags that are final versions of the variant (`1.2.3-foo` with variant foo), within the
 * constraint. Pre-releases are skipped: the resource only follows them when told to, and Sluice
 * does not support that yet.
 */
export function versionTags(tags: readonly string[], variant?: string, constraint?: FluxRange): VersionTag[] {
  const found: VersionTag[] = [];
  for (const tag of tags) {
    const version = releaseVersion(tag, variant);
    if (version && (!constraint || constraint.matches(version))) found.push({ tag, version });
  }
  return found;
}

/** The release version a tag names for the variant, or undefined. */
export function releaseVersion(tag: string, variant?: string): SemVer | undefined {
  const suffix = variant === undefined ? "" : `-${variant}`;
  if (!tag.endsWith(suffix) || tag === variant) return undefined;
  const version = parseVersion(tag.slice(0, tag.length - suffix.length));
  return version && version.prerelease.length === 0 ? version : undefined;
}

/** The tag to add the variant suffix to when pushing a version: `1.2.3` or `1.2.3-foo`. */
export function variantTag(base: string, variant?: string): string {
  return variant === undefined ? base : `${base}-${variant}`;
}

/**
 * The aliases `bump_aliases` moves to `version` (a release) given the repository's tags:
 * `1.2` when it is the newest 1.2.x, `1` when the newest 1.x, `latest` (or the variant) when the
 * newest of all.
 */
export function aliasesToBump(version: SemVer, existing: readonly string[], variant?: string): string[] {
  let latest = true;
  let major = true;
  let minor = true;
  for (const { version: other } of versionTags(existing, variant)) {
    if (compareVersions(other, version) > 0) latest = false;
    if (other.major === version.major && other.minor > version.minor) major = false;
    if (other.major === version.major && other.minor === version.minor && other.patch > version.patch) {
      major = false;
      minor = false;
    }
  }
  const aliases: string[] = [];
  if (latest) aliases.push(variant ?? "latest");
  if (major) aliases.push(variantTag(String(version.major), variant));
  if (minor) aliases.push(variantTag(`${version.major}.${version.minor}`, variant));
  return aliases;
}

/** How specific a version tag is: `3.2.1` (2 dots) beats `3.2` for the same digest. */
export function specificity(tag: VersionTag): number {
  return tag.version.original.split(".").length;
}

import { compareVersions } from "../../../semver/version.ts";

/**
 * Semantic versions as semver-resource reads and writes them (blang/semver): strict
 * MAJOR.MINOR.PATCH, no `v` prefix, no leading zeros in numbers.
 */

export interface SemanticVersion {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release identifiers, e.g. ["rc", "1"]. */
  pre: string[];
  /** Build metadata identifiers, e.g. ["build", "7"]. */
  build: string[];
}

const number = String.raw`0|[1-9]\d*`;
const preIdentifier = String.raw`(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)`;
const buildIdentifier = String.raw`[0-9A-Za-z-]+`;
const versionPattern = new RegExp(
  `^(${number})\\.(${number})\\.(${number})` +
    `(?:-(${preIdentifier}(?:\\.${preIdentifier})*))?` +
    `(?:\\+(${buildIdentifier}(?:\\.${buildIdentifier})*))?$`,
);

export const isNumericIdentifier = (identifier: string): boolean => /^\d+$/.test(identifier);

/** Whether `identifier` may stand in a pre-release (`build` false) or build part. */
export function isValidIdentifier(identifier: string, build = false): boolean {
  return new RegExp(`^${build ? buildIdentifier : preIdentifier}$`).test(identifier);
}

export function parseSemanticVersion(text: string): SemanticVersion | undefined {
  const m = versionPattern.exec(text);
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    pre: m[4] ? m[4].split(".") : [],
    build: m[5] ? m[5].split(".") : [],
  };
}

export function formatSemanticVersion(v: SemanticVersion): string {
  const pre = v.pre.length > 0 ? `-${v.pre.join(".")}` : "";
  const build = v.build.length > 0 ? `+${v.build.join(".")}` : "";
  return `${v.major}.${v.minor}.${v.patch}${pre}${build}`;
}

/** Semver precedence (build metadata ignored): negative when a < b. */
export function compareSemanticVersions(a: SemanticVersion, b: SemanticVersion): number {
  const common = (v: SemanticVersion) => ({ ...v, prerelease: v.pre, build: "", original: "" });
  return compareVersions(common(a), common(b));
}

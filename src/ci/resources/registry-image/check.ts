/** check: the versions `{tag, digest}` of what the source watches, oldest first. */
import type { GoRegexp } from "../../../common/go-regexp.ts";
import { RegistryError } from "../../../oci/errors.ts";
import { compareVersions, type SemVer } from "../../../semver/version.ts";
import type { Version } from "../resource.ts";
import type { Repository } from "./registry.ts";
import { releaseVersion, specificity, versionTags, type VersionTag } from "./semver-tags.ts";
import type { Watch } from "./source.ts";

export interface ImageVersion extends Version {
  tag: string;
  digest: string;
}

export async function checkVersions(
  repository: Repository,
  watch: Watch,
  from: Version | undefined,
  signal?: AbortSignal,
): Promise<ImageVersion[]> {
  const lookup = new DigestLookup(repository, signal);
  switch (watch.kind) {
    case "tag":
      return checkTag(lookup, watch.tag, from);
    case "regex":
      return checkRegex(lookup, watch.regex, from);
    case "semver":
      return checkSemver(lookup, watch, from);
  }
}

/** A changed digest is a new version; the previous one stays first while the registry still has it. */
async function checkTag(
  lookup: DigestLookup,
  tag: string,
  from: Version | undefined,
): Promise<ImageVersion[]> {
  const digest = await lookup.required(tag);
  const previous = from?.["digest"];
  const versions: ImageVersion[] = [];
  if (previous !== undefined && previous !== digest && (await lookup.optional(previous)) !== undefined) {
    versions.push({ tag, digest: previous });
  }
  versions.push({ tag, digest });
  return versions;
}

/** Matching tags in the registry's order, from the previous version on while it is unchanged. */
async function checkRegex(
  lookup: DigestLookup,
  regex: GoRegexp,
  from: Version | undefined,
): Promise<ImageVersion[]> {
  const tags = (await lookup.tags()).filter((tag) => regex.test(tag));
  const versions = await lookup.existing(tags);
  const start = versions.findIndex((v) => v.tag === from?.["tag"] && v.digest === from["digest"]);
  return start === -1 ? versions : versions.slice(start);
}

/**
 * Semver tags in version order (one per digest, the most specific tag), newer than the previous
 * version when it is unchanged; then `latest` (or the variant's bare tag) when it is an image no
 * version tag names and no constraint is set.
 */
async function checkSemver(
  lookup: DigestLookup,
  watch: Extract<Watch, { kind: "semver" }>,
  from: Version | undefined,
): Promise<ImageVersion[]> {
  const tags = await lookup.tags();
  const cursor = await unchangedCursor(lookup, tags, watch.variant, from);
  const candidates = versionTags(tags, watch.variant, watch.constraint).filter(
    (candidate) =>
      !cursor || candidate.tag === from?.["tag"] || compareVersions(candidate.version, cursor) > 0,
  );
  const byDigest = new Map<string, VersionTag>();
  for (const { tag, digest } of await lookup.existing(candidates.map((c) => c.tag))) {
    const candidate = candidates.find((c) => c.tag === tag);
    const kept = byDigest.get(digest);
    if (candidate && (!kept || specificity(candidate) > specificity(kept))) byDigest.set(digest, candidate);
  }
  const versions = [...byDigest]
    .sort(([, a], [, b]) => compareVersions(a.version, b.version))
    .map(([digest, { tag }]) => ({ tag, digest }));
  const bare = watch.variant ?? "latest";
  if (!watch.constraint && tags.includes(bare)) {
    const digest = await lookup.optional(bare);
    if (digest !== undefined && !byDigest.has(digest)) versions.push({ tag: bare, digest });
  }
  return versions;
}

/** The previous version's semver when its tag still points at its digest: only newer tags are looked up. */
async function unchangedCursor(
  lookup: DigestLookup,
  tags: readonly string[],
  variant: string | undefined,
  from: Version | undefined,
): Promise<SemVer | undefined> {
  const tag = from?.["tag"];
  if (tag === undefined || !tags.includes(tag)) return undefined;
  const version = releaseVersion(tag, variant);
  if (!version) return undefined;
  return (await lookup.optional(tag)) === from?.["digest"] ? version : undefined;
}

/** Manifest digests by tag or digest, each asked once. */
class DigestLookup {
  readonly #repository: Repository;
  readonly #signal: AbortSignal | undefined;
  readonly #known = new Map<string, Promise<string | undefined>>();

  constructor(repository: Repository, signal: AbortSignal | undefined) {
    this.#repository = repository;
    this.#signal = signal;
  }

  tags(): Promise<string[]> {
    return this.#repository.client.listTags(this.#repository.name, this.#options());
  }

  /** The digest; a missing tag or repository is an error. */
  async required(reference: string): Promise<string> {
    const { digest } = await this.#repository.client.headManifest(
      this.#repository.name,
      reference,
      this.#options(),
    );
    this.#known.set(reference, Promise.resolve(digest));
    return digest;
  }

  /** The digest, or undefined when the registry no longer has it. */
  optional(reference: string): Promise<string | undefined> {
    let known = this.#known.get(reference);
    if (!known) {
      known = this.required(reference).catch((error: unknown) => {
        if (error instanceof RegistryError && error.status === 404) return undefined;
        throw error;
      });
      this.#known.set(reference, known);
    }
    return known;
  }

  /** The tags that still exist, with their digests, in the order given. */
  async existing(tags: readonly string[]): Promise<ImageVersion[]> {
    const versions: ImageVersion[] = [];
    for (const tag of tags) {
      const digest = await this.optional(tag);
      if (digest !== undefined) versions.push({ tag, digest });
    }
    return versions;
  }

  #options() {
    return this.#signal ? { signal: this.#signal } : {};
  }
}

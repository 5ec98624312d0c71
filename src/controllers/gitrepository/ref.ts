import { highestInRange, parseFluxRange, type FluxRange } from "../../semver/range.ts";
import { parseVersion } from "../../semver/version.ts";

/** `spec.ref` of a GitRepository. */
export interface GitRef {
  branch?: string | undefined;
  tag?: string | undefined;
  semver?: string | undefined;
  name?: string | undefined;
  commit?: string | undefined;
}

/** What to fetch and how to name the result, decided from the remote's advertised refs alone. */
export interface ResolvedRef {
  /** Flux's revision string: `<branch|tag|name>@sha1:<sha>`, or `sha1:<sha>` for a bare commit */
  revision: string;
  sha: string;
  /** what `git fetch` asks for: a ref name, or the commit id */
  fetch: string;
  /** the branch or tag name, when there is one (used for submodule clones) */
  shortName?: string;
}

/** The ref cannot be resolved: retrying will not help until the repository or the spec changes. */
export class RefNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RefNotFoundError";
  }
}

export const defaultBranch = "master";
const shaPattern = /^[0-9a-f]{40}$/;

/** A tag's commit: the peeled `^{}` entry for annotated tags. */
function tagCommit(refs: Map<string, string>, tag: string): string | undefined {
  return refs.get(`refs/tags/${tag}^{}`) ?? refs.get(`refs/tags/${tag}`);
}

function tagsOf(refs: Map<string, string>): string[] {
  return [...refs.keys()]
    .filter((r) => r.startsWith("refs/tags/") && !r.endsWith("^{}"))
    .map((r) => r.slice(10));
}

/** Resolves `spec.ref` with Flux's precedence: commit, then name, then semver, then tag, then branch. */
export function resolveRef(ref: GitRef | undefined, refs: Map<string, string>, url: string): ResolvedRef {
  const r = ref ?? {};
  if (r.commit) return resolveCommit(r.commit, r.branch, refs, url);
  if (r.name) {
    const sha = r.name.startsWith("refs/tags/") ? tagCommit(refs, r.name.slice(10)) : refs.get(r.name);
    if (!sha) throw new RefNotFoundError(`reference '${r.name}' not found in ${url}`);
    return { revision: `${r.name}@sha1:${sha}`, sha, fetch: r.name };
  }
  if (r.semver) return resolveSemver(r.semver, refs, url);
  if (r.tag) {
    const sha = tagCommit(refs, r.tag);
    if (!sha) throw new RefNotFoundError(`tag '${r.tag}' not found in ${url}`);
    return { revision: `${r.tag}@sha1:${sha}`, sha, fetch: `refs/tags/${r.tag}`, shortName: r.tag };
  }
  const branch = r.branch ?? defaultBranch;
  const sha = refs.get(`refs/heads/${branch}`);
  if (!sha) {
    const known = [...refs.keys()].filter((k) => k.startsWith("refs/heads/")).map((k) => k.slice(11));
    throw new RefNotFoundError(
      `branch '${branch}' not found in ${url}${known.length ? ` (branches: ${known.slice(0, 10).join(", ")})` : " (the repository has no branches)"}`,
    );
  }
  return { revision: `${branch}@sha1:${sha}`, sha, fetch: `refs/heads/${branch}`, shortName: branch };
}

function resolveCommit(
  commit: string,
  branch: string | undefined,
  refs: Map<string, string>,
  url: string,
): ResolvedRef {
  const sha = commit.toLowerCase();
  if (!shaPattern.test(sha))
    throw new RefNotFoundError(`commit '${commit}' is not a full 40-character SHA-1`);
  if (branch && !refs.has(`refs/heads/${branch}`))
    throw new RefNotFoundError(`branch '${branch}' not found in ${url}`);
  return branch
    ? { revision: `${branch}@sha1:${sha}`, sha, fetch: sha, shortName: branch }
    : { revision: `sha1:${sha}`, sha, fetch: sha };
}

function resolveSemver(range: string, refs: Map<string, string>, url: string): ResolvedRef {
  let parsed: FluxRange;
  try {
    parsed = parseFluxRange(range);
  } catch (err) {
    throw new RefNotFoundError((err as Error).message);
  }
  const best = highestInRange(parsed, tagsOf(refs), parseVersion);
  if (!best) throw new RefNotFoundError(`no tag in ${url} matches semver range '${range}'`);
  const sha = tagCommit(refs, best.original)!;
  return {
    revision: `${best.original}@sha1:${sha}`,
    sha,
    fetch: `refs/tags/${best.original}`,
    shortName: best.original,
  };
}

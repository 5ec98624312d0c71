/**
 * The versions of a git source, read from its synced mirror as git-resource's check computes
 * them: first-parent commits of the branch that touch `paths` (not only `ignore_paths`), pass
 * `commit_filter`, and do not say `[ci skip]` / `[skip ci]`; or, with a tag filter, the tags on
 * such commits.
 */
import { runGit } from "../../../git/exec.ts";
import { hasCommit } from "../../../git/mirror-cache.ts";
import type { Version } from "../resource.ts";
import type { SyncedMirror } from "./mirror.ts";
import { isTagMode, type CommitFilter, type GitSource } from "./source.ts";

// git's basic regular expressions, as git-resource greps them.
const ciSkip: CommitFilter = { patterns: ["\\[ci\\sskip\\]", "\\[skip\\sci\\]"], allMatch: false };

export async function versionsSince(
  mirror: SyncedMirror,
  source: GitSource,
  from: Version | undefined,
): Promise<Version[]> {
  return isTagMode(source) ? tagVersions(mirror, source, from) : commitVersions(mirror, source, from);
}

/**
 * From a version still on the branch: it, then the matching commits after it, oldest first.
 * Otherwise (first check, or the branch was force-pushed away from it): the newest
 * `version_depth` matching commits.
 */
async function commitVersions(
  mirror: SyncedMirror,
  source: GitSource,
  from: Version | undefined,
): Promise<Version[]> {
  const fromRef = from?.["ref"];
  if (fromRef !== undefined && (await isOnBranch(mirror, fromRef))) {
    const after = await matchingCommits(mirror.dir, source, [`${fromRef}..${mirror.tip}`]);
    return [fromRef, ...after.reverse()].map((ref) => ({ ref }));
  }
  const newest = (await matchingCommits(mirror.dir, source, [mirror.tip])).slice(0, source.versionDepth);
  return newest.reverse().map((ref) => ({ ref }));
}

/** Tags matching the filter on matching commits of the branch, oldest first, the newest `version_depth` of them. */
async function tagVersions(
  mirror: SyncedMirror,
  source: GitSource,
  from: Version | undefined,
): Promise<Version[]> {
  const fromTag = from?.["ref"];
  const contains =
    fromTag !== undefined && (await tagExists(mirror.dir, fromTag))
      ? [`--contains=refs/tags/${fromTag}`]
      : [];
  const merged = source.branch === undefined ? [] : [`--merged=${mirror.tip}`];
  const { stdout } = await runGit(
    [
      "tag",
      "--list",
      "--sort=creatordate",
      ...merged,
      ...contains,
      "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)",
      ...(source.tagFilter === undefined ? [] : ["--end-of-options", source.tagFilter]),
    ],
    { cwd: mirror.dir },
  );
  const eligible = new Set(await matchingCommits(mirror.dir, source, [mirror.tip]));
  const tags = stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const [name = "", object = "", peeled = ""] = line.split("\0");
      return { ref: name, commit: peeled || object };
    })
    .filter((tag) => (source.tagRegex ? source.tagRegex.test(tag.ref) : true) && eligible.has(tag.commit));
  return tags.slice(-source.versionDepth);
}

/** Commits of `revs` (first parent), newest first, passing the source's path and message filters. */
async function matchingCommits(dir: string, source: GitSource, revs: string[]): Promise<string[]> {
  const { stdout } = await runGit(["rev-list", "--first-parent", ...revs, ...pathspec(source)], {
    cwd: dir,
    maxOutputBytes: 256 * 1024 * 1024,
  });
  let commits = stdout.split("\n").filter((line) => line !== "");
  commits = await grepMessages(dir, commits, source.include, false);
  commits = await grepMessages(dir, commits, source.exclude, true);
  if (!source.disableCiSkip) commits = await grepMessages(dir, commits, ciSkip, true);
  return commits;
}

function pathspec(source: GitSource): string[] {
  if (source.paths.length === 0 && source.ignorePaths.length === 0) return [];
  const paths = source.paths.length > 0 ? source.paths : ["."];
  return ["--", ...paths, ...source.ignorePaths.map((p) => `:!${p}`)];
}

/** The commits whose message matches (or, inverted, does not match) the filter, order kept. */
async function grepMessages(
  dir: string,
  commits: string[],
  filter: CommitFilter,
  invert: boolean,
): Promise<string[]> {
  if (filter.patterns.length === 0 || commits.length === 0) return commits;
  const { stdout } = await runGit(
    [
      "rev-list",
      "--stdin",
      "--no-walk=unsorted",
      ...(invert ? ["--invert-grep"] : []),
      ...(filter.allMatch ? ["--all-match"] : []),
      ...filter.patterns.map((pattern) => `--grep=${pattern}`),
    ],
    { cwd: dir, input: `${commits.join("\n")}\n`, maxOutputBytes: 256 * 1024 * 1024 },
  );
  return stdout.split("\n").filter((line) => line !== "");
}

/** `ref` names a commit of the mirror that the branch's tip still contains. */
async function isOnBranch(mirror: SyncedMirror, ref: string): Promise<boolean> {
  if (!/^[0-9a-f]{4,64}$/.test(ref) || !(await hasCommit(mirror.dir, ref))) return false;
  try {
    await runGit(["merge-base", "--is-ancestor", ref, mirror.tip], { cwd: mirror.dir });
    return true;
  } catch {
    return false;
  }
}

async function tagExists(dir: string, name: string): Promise<boolean> {
  try {
    await runGit(["rev-parse", "--verify", "--quiet", `refs/tags/${name}^{commit}`], { cwd: dir });
    return true;
  } catch {
    return false;
  }
}

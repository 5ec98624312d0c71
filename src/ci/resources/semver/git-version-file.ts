/**
 * The version file of semver's git driver: read from the tip of a branch, and replaced by a commit
 * pushed as a compare-and-swap (fast-forward only, retried on a concurrent update, never forced).
 * Works on the index and object database only: no checkout of the rest of the repository.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { GitError, redact, runGit, type GitAuth, type GitRunOptions } from "../../../git/exec.ts";
import { fetch, init } from "../../../git/repository.ts";
import { isPushConflict, remoteCallOptions, remoteFailure, withRemoteAuth } from "../git-remote.ts";
import { ResourceError } from "../resource.ts";
import { commitMessageFor, type SemverGitSource } from "./source.ts";
import {
  compareSemanticVersions,
  formatSemanticVersion,
  parseSemanticVersion,
  type SemanticVersion,
} from "./version.ts";

/** How many times a put fetches, commits and pushes before giving up on a contended branch. */
export const maxPushAttempts = 8;

const defaultIdentity = { name: "Sluice CI", email: "ci@sluice.invalid" };

interface Workspace {
  dir: string;
  auth: GitAuth | undefined;
  source: SemverGitSource;
  signal: AbortSignal | undefined;
}

/**
 * The versions the file held from `cursor` to the branch's tip, oldest first, as semver-resource's
 * check answers: just the tip's version without a cursor or when the cursor is not older; otherwise
 * the versions of the commits that changed the file, back to the cursor (included when one of them
 * holds it). Empty when the branch or the file does not exist.
 */
export async function versionsSince(
  source: SemverGitSource,
  cursor: SemanticVersion | undefined,
  signal?: AbortSignal,
): Promise<SemanticVersion[]> {
  return inWorkspace(source, signal, async (ws) => {
    const tip = await fetchTip(ws);
    const current = tip === undefined ? undefined : await readVersionAt(ws, tip);
    if (tip === undefined || current === undefined) return [];
    if (cursor === undefined || compareSemanticVersions(cursor, current) >= 0) return [current];
    await fetchHistory(ws);
    const log = await local(ws, ["log", "--format=%H", tip, "--", source.file]);
    const versions = [current];
    for (const commit of log
      .split("\n")
      .filter((line) => line !== "")
      .slice(1)) {
      const previous = await readVersionAt(ws, commit);
      if (previous === undefined || compareSemanticVersions(cursor, previous) > 0) break;
      versions.push(previous);
    }
    return versions.reverse();
  });
}

/**
 * Writes `next(current)` to the version file (current is undefined when the branch or file does
 * not exist yet; a missing branch is created holding just the file) and pushes it. A push rejected
 * because the branch moved is retried from the new tip, up to {@link maxPushAttempts} times.
 */
export async function updateVersionFile(
  source: SemverGitSource,
  next: (current: SemanticVersion | undefined) => SemanticVersion,
  signal?: AbortSignal,
): Promise<SemanticVersion> {
  return inWorkspace(source, signal, async (ws) => {
    for (let attempt = 1; ; attempt++) {
      const tip = await fetchTip(ws);
      const version = next(tip === undefined ? undefined : await readVersionAt(ws, tip));
      const commit = await commitVersion(ws, tip, version);
      if (commit === undefined) return version;
      const outcome = await pushCommit(ws, commit);
      if (outcome === "pushed") return version;
      if (attempt >= maxPushAttempts) {
        throw new ResourceError(
          "Conflict",
          `branch "${source.branch}" of ${redact(source.uri)} kept moving: the version was not pushed after ${attempt} attempts`,
        );
      }
      await sleep(50 * attempt + Math.random() * 100 * attempt, undefined, signal ? { signal } : {});
    }
  });
}

async function inWorkspace<T>(
  source: SemverGitSource,
  signal: AbortSignal | undefined,
  fn: (ws: Workspace) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-semver-"));
  try {
    await init(dir, { ...(signal && { signal }) });
    return await withRemoteAuth(source, (auth) => fn({ dir, auth, source, signal }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function gitCall(ws: Workspace): GitRunOptions & { auth?: GitAuth } {
  return remoteCallOptions(ws.source, ws.auth, ws.signal);
}

/** Fetches the branch's tip (only that commit); undefined when the branch does not exist. */
async function fetchTip(ws: Workspace): Promise<string | undefined> {
  const { source } = ws;
  try {
    await fetch(ws.dir, {
      ...gitCall(ws),
      remote: source.uri,
      refspecs: [`refs/heads/${source.branch}`],
      depth: 1,
    });
  } catch (err) {
    if (err instanceof GitError && /couldn't find remote ref/i.test(err.stderr)) return undefined;
    throw remoteFailure(err, "fetch from", source);
  }
  return (await local(ws, ["rev-parse", "--verify", "FETCH_HEAD^{commit}"])).trim();
}

/** Turns the shallow fetch of the tip into the branch's whole history. */
async function fetchHistory(ws: Workspace): Promise<void> {
  if ((await local(ws, ["rev-parse", "--is-shallow-repository"])).trim() !== "true") return;
  const { source } = ws;
  try {
    await runGit(
      ["fetch", "--quiet", "--unshallow", "--end-of-options", source.uri, `refs/heads/${source.branch}`],
      {
        ...gitCall(ws),
        cwd: ws.dir,
      },
    );
  } catch (err) {
    throw remoteFailure(err, "fetch from", source);
  }
}

async function readVersionAt(ws: Workspace, commit: string): Promise<SemanticVersion | undefined> {
  const { source } = ws;
  const entry = await local(ws, ["ls-tree", "-z", "--full-tree", commit, "--", source.file]);
  const blob = /^\d+ blob ([0-9a-f]+)\t/.exec(entry)?.[1];
  if (blob === undefined) return undefined;
  // semver-resource reads the first word of the file.
  const text = (await local(ws, ["cat-file", "blob", blob])).trim().split(/\s+/)[0] ?? "";
  const version = parseSemanticVersion(text);
  if (!version) {
    throw new ResourceError(
      "InvalidVersion",
      `file "${source.file}" on branch "${source.branch}" of ${redact(source.uri)} holds ${JSON.stringify(text.slice(0, 80))}, which is not a semantic version (e.g. 1.2.3)`,
    );
  }
  return version;
}

/** A commit on `parent` (or a root commit) whose version file holds `version`; undefined when unchanged. */
async function commitVersion(
  ws: Workspace,
  parent: string | undefined,
  version: SemanticVersion,
): Promise<string | undefined> {
  const { source } = ws;
  const index = { GIT_INDEX_FILE: path.join(ws.dir, ".git", "sluice-version-index") };
  const text = formatSemanticVersion(version);
  const blob = (await local(ws, ["hash-object", "-w", "--stdin"], { input: `${text}\n` })).trim();
  await local(ws, parent === undefined ? ["read-tree", "--empty"] : ["read-tree", parent], { env: index });
  await local(ws, ["update-index", "--add", "--cacheinfo", `100644,${blob},${source.file}`], { env: index });
  const tree = (await local(ws, ["write-tree"], { env: index })).trim();
  if (parent !== undefined && tree === (await local(ws, ["rev-parse", `${parent}^{tree}`])).trim())
    return undefined;
  const identity = {
    name: source.gitUser?.name || defaultIdentity.name,
    email: source.gitUser?.email ?? defaultIdentity.email,
  };
  const args = ["commit-tree", tree, ...(parent === undefined ? [] : ["-p", parent]), "-F", "-"];
  return (
    await local(ws, args, {
      input: commitMessageFor(source, version),
      env: {
        GIT_AUTHOR_NAME: identity.name,
        GIT_AUTHOR_EMAIL: identity.email,
        GIT_COMMITTER_NAME: identity.name,
        GIT_COMMITTER_EMAIL: identity.email,
      },
    })
  ).trim();
}

/**
 * Pushes `commit` to the branch as a fast-forward. "conflict" when the branch moved since the fetch,
 * or when it already holds this very commit: a concurrent put made the same bump from the same
 * tip in the same second (identical commits have identical ids), and counting that push as ours
 * would lose one of the two bumps.
 */
async function pushCommit(ws: Workspace, commit: string): Promise<"pushed" | "conflict"> {
  const { source } = ws;
  try {
    // Not --quiet: git then says "Everything up-to-date" when the branch already held the commit.
    const { stderr } = await runGit(
      ["push", "--end-of-options", source.uri, `${commit}:refs/heads/${source.branch}`],
      { ...gitCall(ws), cwd: ws.dir },
    );
    return /Everything up-to-date/.test(stderr) ? "conflict" : "pushed";
  } catch (err) {
    if (isPushConflict(err)) return "conflict";
    throw remoteFailure(err, "push to", source);
  }
}

/** A git command on the local repository only (no network, no credentials). */
async function local(ws: Workspace, args: string[], options: GitRunOptions = {}): Promise<string> {
  const { stdout } = await runGit(args, { ...options, cwd: ws.dir, ...(ws.signal && { signal: ws.signal }) });
  return stdout;
}

/**
 * Cached bare mirrors of the branch a git resource watches, one per (uri, branch) under a cache
 * directory, kept up to date incrementally. The remote's refs are listed first, through a cache
 * shared by every check in the process, so an unchanged branch costs one `ls-remote` per TTL
 * however many pipelines watch it, and no fetch at all. Credentials are materialised only for
 * the calls that reach the remote.
 */
import { createHash } from "node:crypto";
import { redact, runGit, type GitAuth, type GitRunOptions } from "../../../git/exec.ts";
import { hasCommit, MirrorCache } from "../../../git/mirror-cache.ts";
import { RemoteRefsCache } from "../../../git/remote-refs-cache.ts";
import { lsRemote } from "../../../git/repository.ts";
import { remoteCallOptions, remoteFailure, withRemoteAuth } from "../git-remote.ts";
import { ResourceError } from "../resource.ts";
import { isTagMode, type GitSource } from "./source.ts";

/** The ref the mirror keeps the watched branch's tip under. */
const tipRef = "refs/sluice/tip";

export interface SyncedMirror {
  dir: string;
  tip: string;
}

/** What the remote advertises for a source: its branch's tip and, for tag versions, its tags. */
export interface RemoteState {
  branchRef: string;
  tip: string;
  refs: Map<string, string>;
  /** Changes whenever anything a check answers from changes on the remote. */
  fingerprint: string;
}

export class GitMirrors {
  readonly #mirrors: MirrorCache;
  readonly #refs: RemoteRefsCache;

  constructor(options: { cacheDir: string; refsTtlMs?: number | undefined }) {
    this.#mirrors = new MirrorCache(options.cacheDir);
    this.#refs = new RemoteRefsCache(options.refsTtlMs === undefined ? {} : { ttlMs: options.refsTtlMs });
  }

  /** The remote's state, listed at most once per TTL for every caller with the same source (`fresh`: now). */
  async remoteState(source: GitSource, signal: AbortSignal | undefined, fresh = false): Promise<RemoteState> {
    const list = () =>
      withRemoteAuth(source, (auth) => lsRemote(source.uri, remoteCall(source, auth, signal)));
    const refs = await this.#refs.get(cacheKey(source), fresh, list).catch((err: unknown) => {
      throw remoteFailure(err, "list refs of", source);
    });
    const branchRef = source.branch === undefined ? "HEAD" : `refs/heads/${source.branch}`;
    const tip = refs.get(branchRef);
    if (tip === undefined) {
      const what =
        source.branch === undefined ? "has no HEAD (is it empty?)" : `has no branch "${source.branch}"`;
      throw new ResourceError("NotFound", `repository ${redact(source.uri)} ${what}`);
    }
    const tags = isTagMode(source) ? remoteTags(refs) : [];
    const fingerprint = createHash("sha256")
      .update(JSON.stringify([tip, tags]))
      .digest("hex");
    return { branchRef, tip, refs, fingerprint };
  }

  /**
   * Brings the mirror of the source's branch (and its tags, for tag versions) up to `state`, then
   * runs `fn` on it with exclusive use.
   */
  async withSynced<T>(
    source: GitSource,
    state: RemoteState,
    signal: AbortSignal | undefined,
    fn: (mirror: SyncedMirror) => Promise<T>,
  ): Promise<T> {
    return this.#mirrors.withMirror(`${source.uri}\n${state.branchRef}`, async (dir) => {
      const upToDate =
        (await hasCommit(dir, state.tip)) && (!isTagMode(source) || (await sameTags(dir, state.refs)));
      const tip = upToDate
        ? state.tip
        : await withRemoteAuth(source, (auth) =>
            fetchBranch(dir, source, state.branchRef, remoteCall(source, auth, signal)),
          );
      await runGit(["update-ref", tipRef, tip], { cwd: dir });
      return fn({ dir, tip });
    });
  }
}

/** The options of a call to the remote, with the source's git_config applied. */
export function remoteCall(
  source: GitSource,
  auth: GitAuth | undefined,
  signal: AbortSignal | undefined,
): GitRunOptions & { auth?: GitAuth } {
  const call = remoteCallOptions(source, auth, signal);
  return { ...call, config: [...(call.config ?? []), ...source.gitConfig] };
}

/** Fetches the branch (and every tag, pruned, for tag versions) and answers the tip obtained. */
async function fetchBranch(
  dir: string,
  source: GitSource,
  branchRef: string,
  call: GitRunOptions,
): Promise<string> {
  const tags = isTagMode(source);
  const args = ["fetch", "--quiet", "--no-write-fetch-head", tags ? "--prune" : "--no-tags"];
  const refspecs = [`+${branchRef}:${tipRef}`, ...(tags ? ["+refs/tags/*:refs/tags/*"] : [])];
  try {
    await runGit([...args, "--end-of-options", source.uri, ...refspecs], { ...call, cwd: dir });
  } catch (err) {
    throw remoteFailure(err, "fetch from", source);
  }
  return (await runGit(["rev-parse", "--verify", `${tipRef}^{commit}`], { cwd: dir })).stdout.trim();
}

/** The mirror's tags are the remote's (names and objects). */
async function sameTags(dir: string, remote: Map<string, string>): Promise<boolean> {
  const { stdout } = await runGit(["for-each-ref", "--format=%(refname) %(objectname)", "refs/tags/"], {
    cwd: dir,
  });
  const local = stdout.split("\n").filter((line) => line !== "");
  const tags = remoteTags(remote);
  return local.length === tags.length && tags.every(([ref, sha]) => local.includes(`${ref} ${sha}`));
}

function remoteTags(refs: Map<string, string>): Array<[string, string]> {
  return [...refs].filter(([ref]) => ref.startsWith("refs/tags/") && !ref.endsWith("^{}"));
}

/** Callers with other credentials or transport settings never share an answer. */
function cacheKey(source: GitSource): string {
  const settings = [
    source.username,
    source.password,
    source.privateKey,
    source.knownHosts,
    source.skipSslVerification,
    source.gitConfig,
  ];
  return `${source.uri}\n${createHash("sha256").update(JSON.stringify(settings)).digest("hex")}`;
}

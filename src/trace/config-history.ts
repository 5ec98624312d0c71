/**
 * The configuration repository's history, as a trace reads it: which commit put an image
 * reference into the manifests, that commit's change, and whether a fetched or applied revision
 * contains it. Reads a bare mirror of its own (MirrorCache), fetched with the GitRepository's
 * credentials.
 */
import type { KubeClient } from "../kube/client.ts";
import { readGitSecret } from "../controllers/git-credentials.ts";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { GitError, runGit, type GitAuth } from "../git/exec.ts";
import { commit, init, push, type GitIdentity } from "../git/repository.ts";
import { MirrorCache } from "../git/mirror-cache.ts";
import { withTransportAuth } from "../git/transport-auth.ts";

export interface CommitSummary {
  sha: string;
  author: string;
  /** ISO 8601 */
  date: string;
  subject: string;
}

function commitSummary(line: string): CommitSummary {
  const [sha = "", author = "", date = "", subject = ""] = line.split("\x1f");
  return { sha, author, date, subject };
}

const pathspecOf = (under: string) => under.replace(/^\.?\/*/, "") || ".";

export interface GitSourceRef {
  url: string;
  namespace: string;
  secretName?: string | undefined;
}

/** The longest diff a trace shows; a longer one ends with a line saying so. */
const maxDiffBytes = 32 * 1024;
const timeoutMs = 30_000;

export class ConfigHistory {
  readonly #mirrors: MirrorCache;
  readonly #kube: KubeClient;

  constructor(root: string, kube: KubeClient) {
    this.#mirrors = new MirrorCache(root);
    this.#kube = kube;
  }

  /** Fetches `branch` of the source and reads its history; the branch is `refs/trace/<branch>`. */
  async read<T>(source: GitSourceRef, branch: string, fn: (history: History) => Promise<T>): Promise<T> {
    return this.#fetched(source, branch, fn);
  }

  /**
   * Commits the revert of `sha` on top of `branch` and pushes it: GitOps' rollback, the cluster
   * following git. Refused (RevertRefused) for a merge commit, a revert that conflicts with later
   * commits, or a branch that moved meanwhile; nothing is pushed then.
   */
  async revert(
    source: GitSourceRef,
    branch: string,
    sha: string,
    by: { identity: GitIdentity; note: string },
  ): Promise<string> {
    return this.#fetched(source, branch, async (history, auth) => {
      const parents = await history.parents(sha);
      if (parents === undefined) throw new RevertRefused(`commit ${sha} is not on branch ${branch}`);
      if (parents.length !== 1)
        throw new RevertRefused(
          `commit ${sha.slice(0, 12)} is a merge commit: revert it in git, choosing its mainline`,
        );
      const work = await mkdtemp(path.join(os.tmpdir(), "sluice-revert-"));
      try {
        const git = (args: string[]) => runGit(args, { cwd: work, timeoutMs, ...(auth ? { auth } : {}) });
        await init(work);
        await git(["fetch", "--quiet", "--end-of-options", history.dir, history.ref]);
        await git(["checkout", "--quiet", "-B", branch, "FETCH_HEAD"]);
        await git(["revert", "--no-commit", sha]).catch((error: unknown) => {
          const detail = error instanceof GitError ? error.stderr.trim().split("\n")[0] : String(error);
          throw new RevertRefused(
            `reverting ${sha.slice(0, 12)} conflicts with later commits (${detail}): revert it in git by hand`,
          );
        });
        const subject = (await git(["log", "-1", "--format=%s", sha])).stdout.trim();
        const message = `Revert "${subject}"\n\nThis reverts commit ${sha}.\n\n${by.note}\n`;
        const reverted = await commit(work, { message, author: by.identity });
        await push(work, {
          remote: source.url,
          refspec: `HEAD:refs/heads/${branch}`,
          ...(auth ? { auth } : {}),
        }).catch((error: unknown) => {
          throw error instanceof GitError && /rejected|non-fast-forward|fetch first/.test(error.stderr)
            ? new RevertRefused(`branch ${branch} moved while reverting: look again and retry`)
            : error;
        });
        return reverted;
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
  }

  async #fetched<T>(
    source: GitSourceRef,
    branch: string,
    fn: (history: History, auth: GitAuth | undefined) => Promise<T>,
  ): Promise<T> {
    const secret = source.secretName
      ? await readGitSecret(this.#kube, source.namespace, source.secretName)
      : undefined;
    return withTransportAuth(source.url, secret, (auth) =>
      this.#mirrors.withMirror(source.url, async (dir) => {
        const ref = `refs/trace/${branch}`;
        await runGit(
          [
            "fetch",
            "--quiet",
            "--no-tags",
            "--no-write-fetch-head",
            "--end-of-options",
            source.url,
            `+refs/heads/${branch}:${ref}`,
          ],
          { cwd: dir, timeoutMs, ...(auth ? { auth } : {}) },
        );
        return fn(new History(dir, ref), auth);
      }),
    );
  }
}

/** A revert that cannot be made as asked; its message says what to do instead. */
export class RevertRefused extends Error {}

export class History {
  readonly dir: string;
  readonly ref: string;

  constructor(dir: string, ref: string) {
    this.dir = dir;
    this.ref = ref;
  }

  #git(args: string[]) {
    return runGit(args, { cwd: this.dir, timeoutMs });
  }

  /** The newest `limit` commits that changed something under `under`. */
  async log(under: string, limit: number): Promise<CommitSummary[]> {
    const { stdout } = await this.#git([
      "log",
      `--max-count=${limit}`,
      "--format=%H%x1f%an%x1f%cI%x1f%s",
      this.ref,
      "--",
      pathspecOf(under),
    ]);
    return stdout.split("\n").filter(Boolean).map(commitSummary);
  }

  /** The commit's parents; undefined when the commit is not on the fetched branch. */
  async parents(sha: string): Promise<string[] | undefined> {
    if (!(await this.contains(this.ref, sha))) return undefined;
    const { stdout } = await this.#git(["rev-list", "--parents", "-n", "1", sha]);
    return stdout.trim().split(" ").slice(1);
  }

  /** The newest commit under `under` that added a line holding `text` (an image reference). */
  async commitAdding(text: string, under: string): Promise<CommitSummary | undefined> {
    const pathspec = pathspecOf(under);
    const log = await this.#git([
      "log",
      `-S${text}`,
      "--format=%H%x1f%an%x1f%cI%x1f%s",
      this.ref,
      "--",
      pathspec,
    ]);
    for (const found of log.stdout.split("\n").filter(Boolean).map(commitSummary)) {
      const change = await this.#git(["show", "--format=", "-U0", found.sha, "--", pathspec]);
      if (
        change.stdout.split("\n").some((l) => l.startsWith("+") && !l.startsWith("+++") && l.includes(text))
      )
        return found;
    }
    return undefined;
  }

  /** The commit's change as `git show --stat -p` prints it, cut at maxDiffBytes. */
  async diff(sha: string): Promise<string> {
    const { stdout } = await this.#git(["show", "--format=%H%n%an <%ae>%n%cI%n%n%B", "--stat", "-p", sha]);
    return stdout.length <= maxDiffBytes
      ? stdout
      : `${stdout.slice(0, maxDiffBytes)}\n… (cut: the change is ${stdout.length} bytes)\n`;
  }

  /** The files the commit changed, relative to the repository's root. */
  async changedFiles(sha: string): Promise<string[]> {
    const { stdout } = await this.#git(["show", "--format=", "--name-only", sha]);
    return stdout.split("\n").filter(Boolean);
  }

  /** Whether `revision` (a commit id) is `sha` or comes after it. */
  async contains(revision: string, sha: string): Promise<boolean> {
    if (revision === sha) return true;
    try {
      await this.#git(["merge-base", "--is-ancestor", sha, revision]);
      return true;
    } catch {
      return false;
    }
  }
}

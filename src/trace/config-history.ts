/**
 * The configuration repository's history, as a trace reads it: which commit put an image
 * reference into the manifests, that commit's change, and whether a fetched or applied revision
 * contains it. Reads a bare mirror of its own (MirrorCache), fetched with the GitRepository's
 * credentials.
 */
import type { KubeClient } from "../kube/client.ts";
import { readGitSecret } from "../controllers/git-credentials.ts";
import { runGit } from "../git/exec.ts";
import { MirrorCache } from "../git/mirror-cache.ts";
import { withTransportAuth } from "../git/transport-auth.ts";

export interface CommitSummary {
  sha: string;
  author: string;
  /** ISO 8601 */
  date: string;
  subject: string;
}

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
        return fn(new History(dir, ref));
      }),
    );
  }
}

export class History {
  readonly #dir: string;
  readonly #ref: string;

  constructor(dir: string, ref: string) {
    this.#dir = dir;
    this.#ref = ref;
  }

  #git(args: string[]) {
    return runGit(args, { cwd: this.#dir, timeoutMs });
  }

  /** The newest commit under `path` that added a line holding `text` (an image reference). */
  async commitAdding(text: string, path: string): Promise<CommitSummary | undefined> {
    const pathspec = path.replace(/^\.\//, "") || ".";
    const log = await this.#git([
      "log",
      `-S${text}`,
      "--format=%H%x1f%an%x1f%cI%x1f%s",
      this.#ref,
      "--",
      pathspec,
    ]);
    for (const line of log.stdout.split("\n").filter(Boolean)) {
      const [sha = "", author = "", date = "", subject = ""] = line.split("\x1f");
      const change = await this.#git(["show", "--format=", "-U0", sha, "--", pathspec]);
      if (
        change.stdout.split("\n").some((l) => l.startsWith("+") && !l.startsWith("+++") && l.includes(text))
      )
        return { sha, author, date, subject };
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

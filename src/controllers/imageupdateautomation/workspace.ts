import { createHash } from "node:crypto";
import { access, mkdir } from "node:fs/promises";
import path from "node:path";
import { runGit, type GitAuth, type GitRunOptions } from "../../git/exec.ts";

/**
 * Working clones of configuration repositories, one per URL, reused between runs. Every run of
 * every automation writing to one repository holds its lock, so at most one automation writes to
 * a repository (and so to any of its branches) at a time in this process.
 */
export class AutomationClones {
  readonly root: string;
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(root: string) {
    this.root = root;
  }

  async withClone<T>(
    url: string,
    auth: GitAuth | undefined,
    signal: AbortSignal,
    fn: (clone: Clone) => Promise<T>,
  ): Promise<T> {
    const dir = path.join(this.root, createHash("sha256").update(url).digest("hex").slice(0, 32));
    const previous = this.#locks.get(dir) ?? Promise.resolve();
    const run = previous
      .catch(() => {})
      .then(async () => {
        const clone = new Clone(dir, url, auth, signal);
        await clone.ensure();
        return fn(clone);
      });
    const tail = run.catch(() => {});
    this.#locks.set(dir, tail);
    void tail.then(() => {
      if (this.#locks.get(dir) === tail) this.#locks.delete(dir);
    });
    return run;
  }
}

/** One working clone, used by one run at a time. */
export class Clone {
  readonly dir: string;
  readonly #url: string;
  readonly #call: GitRunOptions;

  constructor(dir: string, url: string, auth: GitAuth | undefined, signal: AbortSignal) {
    this.dir = dir;
    this.#url = url;
    this.#call = { cwd: dir, signal, timeoutMs: 120_000, ...(auth ? { auth } : {}) };
  }

  git(args: string[], extra: Partial<GitRunOptions> = {}) {
    return runGit(args, { ...this.#call, ...extra });
  }

  async ensure(): Promise<void> {
    try {
      await access(path.join(this.dir, ".git"));
    } catch {
      await mkdir(this.dir, { recursive: true });
      await this.git(["init", "--quiet"]);
      await this.git(["remote", "add", "origin", "--end-of-options", this.#url]);
    }
    await this.git(["remote", "set-url", "origin", "--end-of-options", this.#url]);
  }

  /** Fetches the branches and resets the work tree to the push branch when it exists, else the checkout branch. */
  async resetTo(checkoutBranch: string, pushBranch: string): Promise<{ base: string; sha: string }> {
    const heads = await this.#remoteBranches();
    if (!heads.has(checkoutBranch)) throw new Error(`branch '${checkoutBranch}' not found in the repository`);
    const base = heads.has(pushBranch) ? pushBranch : checkoutBranch;
    await this.git([
      "fetch",
      "--quiet",
      "--no-tags",
      "origin",
      "--end-of-options",
      `+refs/heads/${base}:refs/remotes/origin/${base}`,
    ]);
    await this.git([
      "checkout",
      "--quiet",
      "--force",
      "-B",
      "sluice-automation",
      `refs/remotes/origin/${base}`,
    ]);
    await this.git(["clean", "-fdxq"]);
    const sha = (await this.git(["rev-parse", "HEAD"])).stdout.trim();
    return { base, sha };
  }

  async #remoteBranches(): Promise<Set<string>> {
    const { stdout } = await this.git(["ls-remote", "--heads", "origin"]);
    return new Set(
      stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t")[1]!.replace("refs/heads/", "")),
    );
  }

  async commit(
    files: string[],
    message: string,
    who: { author: Identity; committer: Identity },
    signing?: SigningKey,
  ): Promise<string> {
    await this.git(["add", "--", ...files]);
    const env = {
      GIT_AUTHOR_NAME: who.author.name,
      GIT_AUTHOR_EMAIL: who.author.email,
      GIT_COMMITTER_NAME: who.committer.name,
      GIT_COMMITTER_EMAIL: who.committer.email,
    };
    const sign = signing ? [`--gpg-sign=${signing.keyId}`] : [];
    await this.git(["commit", "--quiet", "--file=-", ...sign], {
      input: message,
      env: { ...env, ...(signing?.env ?? {}) },
    });
    return (await this.git(["rev-parse", "HEAD"])).stdout.trim();
  }

  /**
   * Pushes without force. A refusal (the branch moved on, or a server hook declined) resolves with
   * the server's words; the caller tells a race from a refusal by looking at the branch again.
   */
  async push(refspec: string): Promise<{ pushed: true } | { pushed: false; refusal: string }> {
    try {
      await this.git(["push", "--quiet", "--porcelain", "origin", "--end-of-options", refspec]);
      return { pushed: true };
    } catch (err) {
      const text = (err as { stderr?: string; message: string }).stderr ?? (err as Error).message;
      if (/rejected|declined/i.test(text))
        return { pushed: false, refusal: text.split("\n").filter(Boolean).slice(-3).join("; ") };
      throw err;
    }
  }
}

export interface Identity {
  name: string;
  email: string;
}

export interface SigningKey {
  keyId: string;
  env: Record<string, string>;
}

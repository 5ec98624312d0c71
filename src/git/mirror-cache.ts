import { createHash } from "node:crypto";
import { access, mkdir } from "node:fs/promises";
import path from "node:path";
import { runGit, type GitAuth, type GitRunOptions } from "./exec.ts";
import { init } from "./repository.ts";

export interface FetchOptions {
  auth?: GitAuth | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** fetch history only this deep (shallow); undefined fetches everything reachable */
  depth?: number | undefined;
}

/**
 * Bare mirrors of remote repositories, one per URL, shared by every object that points at the URL.
 * Operations on one mirror are serialised; a revision already present is never fetched again.
 */
export class MirrorCache {
  readonly root: string;
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(root: string) {
    this.root = root;
  }

  dirFor(url: string): string {
    return path.join(this.root, `${createHash("sha256").update(url).digest("hex").slice(0, 32)}.git`);
  }

  /** Runs `fn` with exclusive use of the mirror of `url`. */
  async withMirror<T>(url: string, fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = this.dirFor(url);
    const previous = this.#locks.get(dir) ?? Promise.resolve();
    const run = previous
      .catch(() => {})
      .then(async () => {
        await this.#ensure(dir);
        return fn(dir);
      });
    const tail = run.catch(() => {});
    this.#locks.set(dir, tail);
    void tail.then(() => {
      if (this.#locks.get(dir) === tail) this.#locks.delete(dir);
    });
    return run;
  }

  async #ensure(dir: string): Promise<void> {
    try {
      await access(path.join(dir, "HEAD"));
    } catch {
      await mkdir(dir, { recursive: true });
      await init(dir, { bare: true });
      // objects fetched by id have no ref; automatic gc must never drop them
      await runGit(["config", "gc.auto", "0"], { cwd: dir });
    }
  }

  /**
   * Makes commit `sha` available in the mirror, fetching `what` (a ref name or the commit id) from
   * `url` only when the commit is not there yet. Returns the commit id actually obtained (a ref may
   * have moved on since it was listed) and whether a fetch happened.
   */
  async ensureCommit(
    url: string,
    what: string,
    sha: string,
    options: FetchOptions = {},
  ): Promise<{ dir: string; sha: string; fetched: boolean }> {
    return this.withMirror(url, async (dir) => {
      if (await hasCommit(dir, sha)) return { dir, sha, fetched: false };
      const fetchArgs = ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head"];
      const depth = options.depth !== undefined ? [`--depth=${options.depth}`] : [];
      const call: GitRunOptions = { cwd: dir };
      if (options.auth) call.auth = options.auth;
      if (options.signal) call.signal = options.signal;
      if (options.timeoutMs !== undefined) call.timeoutMs = options.timeoutMs;
      const target = `refs/sluice/fetched`;
      try {
        await runGit([...fetchArgs, ...depth, "--end-of-options", url, `+${what}:${target}`], call);
      } catch (err) {
        // some servers refuse a want by commit id: fall back to every branch, full history
        if (what !== sha) throw err;
        await runGit([...fetchArgs, "--end-of-options", url, "+refs/heads/*:refs/sluice/heads/*"], call);
      }
      const obtained =
        what === sha
          ? sha
          : (await runGit(["rev-parse", "--verify", `${target}^{commit}`], { cwd: dir })).stdout.trim();
      if (!(await hasCommit(dir, obtained))) throw new Error(`commit ${sha} is not reachable in ${url}`);
      return { dir, sha: obtained, fetched: true };
    });
  }
}

export async function hasCommit(dir: string, sha: string): Promise<boolean> {
  try {
    await runGit(["cat-file", "-e", `${sha}^{commit}`], { cwd: dir, timeoutMs: 10_000 });
    return true;
  } catch {
    return false;
  }
}

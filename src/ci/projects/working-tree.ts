/**
 * What a local run (`sluice ci run-gitlab`, `run-workflow`) knows of the working tree it runs
 * against: its HEAD, branch, last commit message, every file (tracked and untracked, not
 * ignored) and the paths changed since a base revision — committed, staged, unstaged and
 * untracked — as if the working tree were pushed on top of it. Without a base (a first commit)
 * every path counts as changed.
 */
import path from "node:path";
import { GitError, runGit } from "../../git/exec.ts";

export interface WorkingTree {
  dir: string;
  sha: string;
  beforeSha: string | undefined;
  branch: string;
  message: string;
  files: string[];
  changes: Set<string> | "all";
  /** `group/project` from the `origin` remote's URL, else the directory's name. */
  projectPath: string;
  repositoryUrl: string;
}

async function git(dir: string, ...args: string[]): Promise<string> {
  return (await runGit(args, { cwd: dir })).stdout;
}

async function optional(dir: string, ...args: string[]): Promise<string | undefined> {
  try {
    return (await git(dir, ...args)).trim();
  } catch (error) {
    if (error instanceof GitError) return undefined;
    throw error;
  }
}

export function projectPathOf(url: string | undefined, dir: string): string {
  if (!url) return path.basename(dir);
  const withoutScheme = url.replace(/^[a-z+]+:\/\/[^/]+\//, "").replace(/^[^@/]+@[^:]+:/, "");
  return withoutScheme.replace(/\.git$/, "").replace(/^\/+/, "") || path.basename(dir);
}

/** `base`: the revision changes are counted from (default: HEAD's parent). */
export async function readWorkingTree(dir: string, base?: string): Promise<WorkingTree> {
  const root = (await optional(dir, "rev-parse", "--show-toplevel")) ?? path.resolve(dir);
  const sha = (await optional(root, "rev-parse", "HEAD")) ?? "0".repeat(40);
  const beforeSha = await optional(
    root,
    "rev-parse",
    "--verify",
    "--end-of-options",
    `${base ?? "HEAD~1"}^{commit}`,
  );
  /** The NUL-separated paths a `-z` git command prints. */
  const paths = async (...args: string[]) => (await git(root, ...args)).split("\0").filter(Boolean);
  const untracked = await paths("ls-files", "--others", "--exclude-standard", "-z").catch(() => []);
  const tracked = await paths("ls-files", "-z").catch(() => []);
  let changes: Set<string> | "all" = "all";
  if (beforeSha !== undefined) {
    const diff = await paths("diff", "--name-only", "-z", beforeSha, "--");
    changes = new Set([...diff, ...untracked]);
  }
  const url = await optional(root, "remote", "get-url", "origin");
  return {
    dir: root,
    sha,
    beforeSha,
    branch: (await optional(root, "symbolic-ref", "--short", "HEAD")) ?? "HEAD",
    message: (await optional(root, "log", "-1", "--format=%B")) ?? "",
    files: [...new Set([...tracked, ...untracked])],
    changes,
    projectPath: projectPathOf(url, root),
    repositoryUrl: url ?? `file://${root}`,
  };
}

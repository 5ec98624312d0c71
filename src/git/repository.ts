import { runGit, type GitAuth, type GitCredentials } from "./exec.ts";

/** Options every verb accepts: cancellation, a time limit and credentials for remotes. */
export interface GitCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  credentials?: GitCredentials;
  auth?: GitAuth;
}

export interface GitIdentity {
  name: string;
  email: string;
}

/** Creates a repository in `dir` (created if missing). */
export async function init(
  dir: string,
  options: GitCallOptions & { bare?: boolean; initialBranch?: string } = {},
): Promise<void> {
  const { bare, initialBranch, ...call } = options;
  const args = ["init", "--quiet"];
  if (bare) args.push("--bare");
  if (initialBranch !== undefined) args.push(`--initial-branch=${initialBranch}`);
  await runGit([...args, "--end-of-options", dir], call);
}

/** Clones `url` into `dir`. */
export async function clone(
  url: string,
  dir: string,
  options: GitCallOptions & { depth?: number; branch?: string; bare?: boolean } = {},
): Promise<void> {
  const { depth, branch, bare, ...call } = options;
  const args = ["clone", "--quiet"];
  if (bare) args.push("--bare");
  if (depth !== undefined) args.push(`--depth=${positiveInteger(depth, "depth")}`);
  if (branch !== undefined) args.push(`--branch=${branch}`);
  await runGit([...args, "--end-of-options", url, dir], call);
}

/** Fetches from `remote` (a name or URL; default origin) into the repository at `dir`. */
export async function fetch(
  dir: string,
  options: GitCallOptions & {
    remote?: string;
    refspecs?: readonly string[];
    depth?: number;
    tags?: boolean;
  } = {},
): Promise<void> {
  const { remote = "origin", refspecs = [], depth, tags, ...call } = options;
  const args = ["fetch", "--quiet"];
  if (depth !== undefined) args.push(`--depth=${positiveInteger(depth, "depth")}`);
  if (tags !== undefined) args.push(tags ? "--tags" : "--no-tags");
  await runGit([...args, "--end-of-options", remote, ...refspecs], { ...call, cwd: dir });
}

/** The refs a remote advertises, as ref name → object id (peeled tags appear as `<tag>^{}`). */
export async function lsRemote(url: string, options: GitCallOptions = {}): Promise<Map<string, string>> {
  const { stdout } = await runGit(["ls-remote", "--end-of-options", url], options);
  const refs = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const [sha, ref] = line.split("\t");
    if (sha && ref) refs.set(ref, sha);
  }
  return refs;
}

/** The full object id `rev` names in the repository at `dir`. */
export async function revParse(dir: string, rev: string, options: GitCallOptions = {}): Promise<string> {
  const { stdout } = await runGit(["rev-parse", "--verify", "--end-of-options", rev], {
    ...options,
    cwd: dir,
  });
  return stdout.trim();
}

/** Stages every change in the working tree, deletions included. */
export async function addAll(dir: string, options: GitCallOptions = {}): Promise<void> {
  await runGit(["add", "--all"], { ...options, cwd: dir });
}

/** Commits the staged changes and returns the new commit's id. */
export async function commit(
  dir: string,
  options: GitCallOptions & {
    message: string;
    author: GitIdentity;
    committer?: GitIdentity;
    allowEmpty?: boolean;
  },
): Promise<string> {
  const { message, author, committer = author, allowEmpty = false, ...call } = options;
  const args = ["commit", "--quiet", "--file=-"];
  if (allowEmpty) args.push("--allow-empty");
  await runGit(args, { ...call, cwd: dir, input: message, env: identityEnv(author, committer) });
  return revParse(dir, "HEAD", call);
}

/** Pushes `refspec` to `remote` (a name or URL). Forced updates (`+src:dst`) are refused. */
export async function push(
  dir: string,
  options: GitCallOptions & { remote?: string; refspec: string | readonly string[] },
): Promise<void> {
  const { remote = "origin", refspec, ...call } = options;
  const refspecs = typeof refspec === "string" ? [refspec] : [...refspec];
  const forced = refspecs.find((r) => r.startsWith("+"));
  if (forced !== undefined) throw new Error(`refusing to force-push refspec ${forced}`);
  await runGit(["push", "--quiet", "--end-of-options", remote, ...refspecs], {
    ...call,
    cwd: dir,
  });
}

/** Creates tag `name` at `rev` (default HEAD): annotated when a message is given. */
export async function tag(
  dir: string,
  name: string,
  options: GitCallOptions & { rev?: string; message?: string; tagger?: GitIdentity } = {},
): Promise<void> {
  const { rev = "HEAD", message, tagger, ...call } = options;
  const args = ["tag"];
  if (message !== undefined) args.push("--annotate", "--file=-");
  await runGit([...args, "--end-of-options", name, rev], {
    ...call,
    cwd: dir,
    ...(message !== undefined && { input: message }),
    ...(tagger && { env: identityEnv(tagger, tagger) }),
  });
}

/**
 * Switches the working tree to `target`: a branch (a remote-tracking one is created from
 * `origin/<target>` when needed), or, with `detach`, any commit. With `newBranch`, creates that
 * branch at `target` first. Uses `git switch`, as `git checkout` does not accept `--end-of-options`.
 */
export async function checkout(
  dir: string,
  target: string,
  options: GitCallOptions & { detach?: boolean; newBranch?: string } = {},
): Promise<void> {
  const { detach, newBranch, ...call } = options;
  const args = ["switch", "--quiet"];
  if (detach) args.push("--detach");
  if (newBranch !== undefined) args.push(`--create=${newBranch}`);
  await runGit([...args, "--end-of-options", target], { ...call, cwd: dir });
}

/** The branch HEAD points to, or undefined when HEAD is detached. */
export async function currentBranch(dir: string, options: GitCallOptions = {}): Promise<string | undefined> {
  const { stdout } = await runGit(["branch", "--show-current"], { ...options, cwd: dir });
  return stdout.trim() || undefined;
}

function identityEnv(author: GitIdentity, committer: GitIdentity): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
  };
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

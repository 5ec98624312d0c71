import { GitError, type GitAuth } from "./exec.ts";
import { checkout, clone, init, lsRemote } from "./repository.ts";

/**
 * A working copy of `url` on `branch` in `dir`: a clone when the branch exists, a clone with a new
 * branch when only others do, a fresh repository when the remote has no commits (or does not exist
 * yet on a server that creates repositories on push).
 */
export async function prepareWorkingCopy(
  url: string,
  dir: string,
  branch: string,
  auth?: GitAuth,
): Promise<void> {
  const refs = await remoteRefs(url, auth);
  if (refs.size === 0) {
    await init(dir, { initialBranch: branch });
  } else if (refs.has(`refs/heads/${branch}`)) {
    await clone(url, dir, { branch, ...(auth ? { auth } : {}) });
  } else {
    await clone(url, dir, auth ? { auth } : {});
    await checkout(dir, "HEAD", { newBranch: branch });
  }
}

async function remoteRefs(url: string, auth: GitAuth | undefined): Promise<Map<string, string>> {
  try {
    return await lsRemote(url, auth ? { auth } : {});
  } catch (err) {
    if (err instanceof GitError && /repository .* not found/.test(err.stderr)) return new Map();
    throw err;
  }
}

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { DevEnv } from "./env-file.ts";
import { runGit, withCredentials } from "../git/exec.ts";
import { addAll, commit, push, tag } from "../git/repository.ts";
import { prepareWorkingCopy } from "../git/working-copy.ts";

const author = { name: "Sluice Dev", email: "dev@sluice.invalid" };

export interface PushFilesOptions {
  /** Branch to commit on; default main. */
  branch?: string;
  message?: string;
  /** Annotated tag to create on the new commit and push. */
  tag?: string;
  /** The commit holds exactly `files`: everything else is removed. */
  replace?: boolean;
}

/**
 * Commits `files` (path → content, subdirectories created) to repository `name` of the dev git
 * server and pushes them: the first call creates the repository, later calls add a commit on top
 * of the branch. Resolves with the repository URL and the new commit's id.
 */
export async function pushFiles(
  env: Pick<DevEnv, "gitUrl" | "gitUsername" | "gitPassword">,
  name: string,
  files: Record<string, string>,
  opts: PushFilesOptions = {},
): Promise<{ url: string; sha: string }> {
  const { branch = "main", message = `update ${name}` } = opts;
  const url = `${env.gitUrl}/${name}.git`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), "sluice-push-repo-"));
  try {
    return await withCredentials({ username: env.gitUsername, password: env.gitPassword }, async (auth) => {
      const work = path.join(tmp, "work");
      await prepareWorkingCopy(url, work, branch, auth);
      if (opts.replace) await runGit(["rm", "-r", "--quiet", "--ignore-unmatch", "--", "."], { cwd: work });
      await writeFiles(work, files);
      await addAll(work);
      const sha = await commit(work, { message, author: author, allowEmpty: true });
      const refspecs = [`HEAD:refs/heads/${branch}`];
      if (opts.tag !== undefined) {
        await tag(work, opts.tag, { message, tagger: author });
        refspecs.push(`refs/tags/${opts.tag}`);
      }
      await push(work, { remote: url, refspec: refspecs, auth });
      return { url, sha };
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.resolve(dir, name);
    if (!file.startsWith(dir + path.sep)) throw new Error(`file ${name} is outside the repository`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

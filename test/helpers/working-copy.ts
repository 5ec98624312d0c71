/** A working copy of a dev git server repository, with files written and committed as a developer would. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { DevEnv } from "../../src/dev/env-file.ts";
import { runGit } from "../../src/git/exec.ts";
import { pushRepo } from "./git.ts";

export async function git(dir: string, ...args: string[]): Promise<string> {
  return (await runGit(args, { cwd: dir })).stdout.trim();
}

export interface WorkingCopy {
  dir: string;
  /** Writes the files (path → text) without committing. */
  write(files: Record<string, string>): Promise<void>;
  /** Commits everything; resolves with the commit's id. */
  commit(message: string): Promise<string>;
}

/** Creates repository `name` on the dev git server, clones it into `<parent>/repo` (credentials in its origin) and writes `files` there. */
export async function workingCopy(
  env: Pick<DevEnv, "gitUrl" | "gitUsername" | "gitPassword">,
  parent: string,
  name: string,
  files: Record<string, string>,
  branch = "main",
): Promise<WorkingCopy> {
  await pushRepo(env, name, { "README.md": "seed\n" }, { branch });
  const dir = path.join(parent, "repo");
  const remote = `${env.gitUrl.replace("://", `://${env.gitUsername}:${env.gitPassword}@`)}/${name}.git`;
  await git(parent, "clone", "-q", "-b", branch, remote, dir);
  const copy: WorkingCopy = {
    dir,
    write: async (more) => {
      for (const [file, text] of Object.entries(more)) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), text);
      }
    },
    commit: async (message) => {
      await git(dir, "add", "-A");
      await git(dir, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", message);
      return git(dir, "rev-parse", "HEAD");
    },
  };
  await copy.write(files);
  return copy;
}

/** Whether the registry has `repository:tag` (a HEAD of its manifest). */
export async function manifestExists(
  env: Pick<DevEnv, "registry" | "registryUsername" | "registryPassword">,
  repository: string,
  tag: string,
): Promise<boolean> {
  const response = await fetch(`http://${env.registry}/v2/${repository}/manifests/${tag}`, {
    method: "HEAD",
    headers: {
      Accept:
        "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
      ...(env.registryUsername && {
        Authorization: `Basic ${Buffer.from(`${env.registryUsername}:${env.registryPassword}`).toString("base64")}`,
      }),
    },
  });
  return response.status === 200;
}

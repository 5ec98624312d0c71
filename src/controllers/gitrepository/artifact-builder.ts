import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { GitAuth } from "../../git/exec.ts";
import { checkout, fetch as gitFetch, init, type GitCallOptions } from "../../git/repository.ts";
import { runGit } from "../../git/exec.ts";
import type { TarEntry } from "../../common/tar.ts";
import { includeEntries } from "../../source/entries.ts";
import { buildIgnoreMatcher } from "../../source/ignore.ts";
import { extractTarGz } from "../../source/tar-gz.ts";
import {
  archiveDirectory,
  archiveGitTree,
  loadSourceIgnoreFiles,
  type SourceArchive,
} from "../../source/tree-archive.ts";
import type { ResolvedRef } from "./ref.ts";

export interface IncludedContent {
  bytes: Uint8Array;
  fromPath?: string | undefined;
  toPath: string;
}

export interface BuildInput {
  url: string;
  mirrorDir: string;
  ref: ResolvedRef;
  auth: GitAuth | undefined;
  ignore: string | undefined;
  recurseSubmodules: boolean;
  includes: IncludedContent[];
  signal: AbortSignal;
  timeoutMs: number;
}

function includedEntries(includes: IncludedContent[]): TarEntry[] {
  return includes.flatMap((i) =>
    includeEntries(extractTarGz(i.bytes), { fromPath: i.fromPath, toPath: i.toPath }),
  );
}

/** The deterministic tarball of a revision: straight from the mirror, or from a checkout with submodules. */
export async function buildSourceArchive(input: BuildInput): Promise<SourceArchive> {
  const addEntries = includedEntries(input.includes);
  if (!input.recurseSubmodules) {
    return archiveGitTree(input.mirrorDir, input.ref.sha, {
      specIgnore: input.ignore,
      addEntries,
      signal: input.signal,
    });
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), "sluice-submodules-"));
  try {
    const dir = path.join(tmp, "checkout");
    await checkoutWithSubmodules(input, dir);
    const matcher = buildIgnoreMatcher({
      specIgnore: input.ignore,
      sourceIgnoreFiles: await loadSourceIgnoreFiles(dir, input.signal),
    });
    return await archiveDirectory(dir, matcher, { addEntries, signal: input.signal });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function checkoutWithSubmodules(input: BuildInput, dir: string): Promise<void> {
  const call: GitCallOptions = { signal: input.signal, timeoutMs: input.timeoutMs };
  if (input.auth) call.auth = input.auth;
  await init(dir);
  await runGit(["remote", "add", "origin", "--end-of-options", input.url], { cwd: dir });
  // the listed ref may have moved on: fetch exactly the resolved commit
  await gitFetch(dir, { ...call, refspecs: [input.ref.sha], depth: 1 });
  await checkout(dir, input.ref.sha, { detach: true });
  await runGit(["submodule", "update", "--init", "--recursive", "--depth=1"], { ...call, cwd: dir });
}

/** The subject line of a commit, for the NewArtifact event. */
export async function commitSubject(mirrorDir: string, sha: string): Promise<string> {
  const { stdout } = await runGit(["log", "-1", "--format=%s", "--end-of-options", sha], {
    cwd: mirrorDir,
    timeoutMs: 10_000,
  });
  return stdout.trim();
}

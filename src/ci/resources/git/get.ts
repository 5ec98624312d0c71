/**
 * get: a clone of the source's branch checked out at the version, with the files git-resource
 * writes under `.git` (ref, short_ref, commit_message, committer, author, branch, tags,
 * describe_ref, metadata.json…).
 */
import { appendFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { redact, runGit, type GitAuth, type GitRunOptions } from "../../../git/exec.ts";
import { hasCommit } from "../../../git/mirror-cache.ts";
import { remoteFailure, withRemoteAuth } from "../git-remote.ts";
import {
  parseConfig,
  ResourceError,
  type ResourceConfig,
  type Version,
  type VersionResult,
} from "../resource.ts";
import { headInfo, metadataFields, type CommitInfo } from "./metadata.ts";
import { remoteCall } from "./mirror.ts";
import { isTagMode, type GitSource } from "./source.ts";

const paramsSchema = z.object({
  depth: z.number().int().nonnegative().optional(),
  fetch_tags: z.boolean().optional(),
  submodules: z.union([z.enum(["none", "all"]), z.array(z.string().min(1))]).optional(),
  submodule_recursive: z.boolean().optional(),
  disable_git_lfs: z.boolean().optional(),
  clean_tags: z.boolean().optional(),
  short_ref_format: z.string().optional(),
});
type GetParams = z.output<typeof paramsSchema>;

interface Clone {
  dir: string;
  source: GitSource;
  params: GetParams;
  call: GitRunOptions;
}

export async function getVersion(
  source: GitSource,
  version: Version,
  rawParams: ResourceConfig,
  destDir: string,
  signal: AbortSignal | undefined,
): Promise<VersionResult> {
  const params = parseConfig(paramsSchema, rawParams, "params");
  const ref = version["ref"];
  if (ref === undefined || ref === "" || ref.startsWith("-")) {
    throw new ResourceError("InvalidVersion", `version ${JSON.stringify(version)} has no ref`);
  }
  const branch = version["branch"] ?? source.branch;
  await withRemoteAuth(source, async (auth) => {
    const clone: Clone = { dir: destDir, source, params, call: cloneCall(source, params, auth, signal) };
    await cloneBranch(clone, branch);
    const commit = await resolveVersion(clone, ref);
    await runGit(["switch", "--quiet", "--detach", "--end-of-options", commit], {
      ...clone.call,
      cwd: destDir,
    });
    await writeGitConfig(destDir, source.gitConfig);
    await updateSubmodules(clone);
  });
  const info = await headInfo(destDir, source.uri);
  await writeVersionFiles(destDir, ref, info, params);
  if (params.clean_tags) await deleteTags(destDir);
  return { version, metadata: metadataFields(info) };
}

function cloneCall(
  source: GitSource,
  params: GetParams,
  auth: GitAuth | undefined,
  signal: AbortSignal | undefined,
): GitRunOptions {
  const call = remoteCall(source, auth, signal);
  return params.disable_git_lfs ? { ...call, env: { GIT_LFS_SKIP_SMUDGE: "1" } } : call;
}

/** Whether to fetch every tag (true), none (false) or git's default, those on the history (undefined). */
function tagsWanted(clone: Clone): boolean | undefined {
  const fetchTags = clone.params.fetch_tags ?? clone.source.fetchTags;
  return fetchTags ?? (isTagMode(clone.source) ? true : undefined);
}

async function cloneBranch(clone: Clone, branch: string | undefined): Promise<void> {
  const { source, params } = clone;
  const depth = params.depth !== undefined && params.depth > 0 ? [`--depth=${params.depth}`] : [];
  const args = [
    "clone",
    "--quiet",
    "--single-branch",
    "--no-checkout",
    ...depth,
    ...(branch === undefined ? [] : [`--branch=${branch}`]),
    ...(tagsWanted(clone) === false ? ["--no-tags"] : []),
    "--end-of-options",
    source.uri,
    clone.dir,
  ];
  try {
    await runGit(args, clone.call);
    if (tagsWanted(clone) === true) await remote(clone, ["fetch", "--quiet", "--tags", ...depth, "origin"]);
  } catch (err) {
    if (err instanceof ResourceError) throw err;
    if (branch !== undefined && /Remote branch .* not found/i.test(String((err as Error).message))) {
      throw new ResourceError("NotFound", `branch "${branch}" not found`);
    }
    throw remoteFailure(err, "clone", source);
  }
}

/**
 * The commit the version names (a commit id, or a tag with tag filters), fetching deeper history
 * when a shallow clone does not reach it.
 */
async function resolveVersion(clone: Clone, ref: string): Promise<string> {
  const commit = isTagMode(clone.source) ? await tagCommit(clone.dir, ref) : ref;
  if (await hasCommit(clone.dir, commit)) return commit;
  const depth = clone.params.depth ?? 0;
  if (depth > 0) {
    await remote(clone, ["fetch", "--quiet", `--depth=${depth}`, "origin", commit]).catch(() =>
      remote(clone, ["fetch", "--quiet", "--unshallow", "origin"]),
    );
  }
  if (!(await hasCommit(clone.dir, commit))) {
    throw new ResourceError("NotFound", `version ${ref} is not on the branch of ${redact(clone.source.uri)}`);
  }
  return commit;
}

async function tagCommit(dir: string, tag: string): Promise<string> {
  try {
    return (await runGit(["rev-parse", "--verify", `refs/tags/${tag}^{commit}`], { cwd: dir })).stdout.trim();
  } catch {
    throw new ResourceError("NotFound", `tag "${tag}" not found (was it deleted?)`);
  }
}

async function remote(clone: Clone, args: string[]): Promise<void> {
  try {
    await runGit(args, { ...clone.call, cwd: clone.dir });
  } catch (err) {
    throw remoteFailure(err, "fetch from", clone.source);
  }
}

/** `git_config` entries in the clone's .git/config, written as a file so that no value reaches argv. */
async function writeGitConfig(dir: string, entries: GitSource["gitConfig"]): Promise<void> {
  const quote = (text: string) =>
    `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n").replaceAll("\t", "\\t")}"`;
  const text = entries.map(([name, value]) => {
    const first = name.indexOf(".");
    const last = name.lastIndexOf(".");
    const section = name.slice(0, first);
    const header = first === last ? `[${section}]` : `[${section} ${quote(name.slice(first + 1, last))}]`;
    return `${header}\n\t${name.slice(last + 1)} = ${quote(value)}\n`;
  });
  if (text.length > 0) await appendFile(path.join(dir, ".git", "config"), text.join(""));
}

async function updateSubmodules(clone: Clone): Promise<void> {
  const { submodules = "all", submodule_recursive = true, depth = 0 } = clone.params;
  if (submodules === "none") return;
  const hasModules = await runGit(["ls-files", "--", ".gitmodules"], { cwd: clone.dir });
  if (hasModules.stdout.trim() === "") return;
  const args = [
    "submodule",
    "update",
    "--init",
    ...(submodule_recursive ? ["--recursive"] : []),
    ...(depth > 0 ? [`--depth=${depth}`] : []),
    "--",
    ...(submodules === "all" ? [] : submodules),
  ];
  await remote(clone, args);
}

async function writeVersionFiles(
  dir: string,
  ref: string,
  info: CommitInfo,
  params: GetParams,
): Promise<void> {
  const describe = await runGit(["describe", "--always", "--dirty", "--broken"], { cwd: dir });
  const commitTimestamp = await runGit(["log", "-1", "--format=%cd", "--date=iso8601"], { cwd: dir });
  const format = params.short_ref_format ?? "%s";
  const files: Record<string, string> = {
    ref: `${ref}\n`,
    short_ref: format.replaceAll("%s", ref.slice(0, 7)),
    commit: `${info.commit}\n`,
    commit_message: info.message,
    commit_timestamp: commitTimestamp.stdout,
    committer: info.authorEmail,
    committer_name: info.author,
    committer_date: `${info.committerDate}\n`,
    author: `${info.author}\n`,
    author_date: `${info.authorDate}\n`,
    branch: `${info.branch}\n`,
    tags: `${info.tags}\n`,
    url: `${info.url}\n`,
    describe_ref: describe.stdout,
    "metadata.json": `${JSON.stringify(metadataFields(info), null, 2)}\n`,
  };
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, ".git", name), content);
}

async function deleteTags(dir: string): Promise<void> {
  const { stdout } = await runGit(["for-each-ref", "--format=delete %(refname)", "refs/tags/"], { cwd: dir });
  if (stdout.trim() !== "") await runGit(["update-ref", "--stdin"], { cwd: dir, input: stdout });
}

/**
 * put: pushes the commits of a repository among the build's inputs to the source's branch, and
 * optionally a tag, as git-resource's out. A push rejected because the branch moved is rebased
 * (or merged) onto the new tip and retried with `rebase` (`merge`); otherwise it fails with git's
 * reason. Never forced unless `force` says so.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { GitError, redact, runGit, type GitRunOptions } from "../../../git/exec.ts";
import { isPushConflict, remoteFailure, withRemoteAuth } from "../git-remote.ts";
import { parseConfig, ResourceError, type ResourceConfig, type VersionResult } from "../resource.ts";
import { headInfo, metadataFields } from "./metadata.ts";
import { remoteCall } from "./mirror.ts";
import { branchName, type GitSource } from "./source.ts";

/** How many times a rebasing or merging put integrates the branch and pushes before giving up. */
export const maxPushAttempts = 8;

const defaultIdentity = { name: "Sluice CI", email: "ci@sluice.invalid" };

const paramsSchema = z.object({
  repository: z.string().min(1),
  rebase: z.boolean().optional(),
  merge: z.boolean().optional(),
  returning: z.enum(["merged", "unmerged"]).optional(),
  tag: z.string().min(1).optional(),
  tag_prefix: z.string().optional(),
  only_tag: z.boolean().optional(),
  annotate: z.string().min(1).optional(),
  branch: branchName.optional(),
  force: z.boolean().optional(),
});
type PutParams = z.output<typeof paramsSchema>;

interface Push {
  repo: string;
  source: GitSource;
  params: PutParams;
  branch: string | undefined;
  tag: string | undefined;
  /** The annotation file, absolute. */
  annotation: string | undefined;
  /** Identity for the commits and tags git creates, when the repository has none configured. */
  identityEnv: Record<string, string>;
  call: GitRunOptions;
}

export async function putVersion(
  source: GitSource,
  rawParams: ResourceConfig,
  inputsDir: string,
  signal: AbortSignal | undefined,
): Promise<VersionResult> {
  const params = parseConfig(paramsSchema, rawParams, "params");
  const branch = params.branch ?? source.branch;
  if (params.merge && params.rebase) {
    throw new ResourceError("InvalidConfig", "invalid params: give rebase or merge, not both");
  }
  if (branch === undefined && !params.only_tag) {
    throw new ResourceError("InvalidConfig", "invalid params: put needs source.branch or params.branch");
  }
  if (params.only_tag && params.tag === undefined) {
    throw new ResourceError("InvalidConfig", "invalid params: only_tag needs tag (the file holding the tag)");
  }
  const repo = inputPath(inputsDir, params.repository, "repository");
  const commitToPush = await headOf(repo, params.repository);
  const tag =
    params.tag === undefined ? undefined : await tagName(inputsDir, params.tag, params.tag_prefix ?? "");
  const annotation =
    params.annotate === undefined ? undefined : inputPath(inputsDir, params.annotate, "annotate");
  await withRemoteAuth(source, async (auth) => {
    const push: Push = {
      repo,
      source,
      params,
      branch,
      tag,
      annotation,
      identityEnv: await identityEnv(repo),
      call: remoteCall(source, auth, signal),
    };
    if (params.only_tag) await pushTagOnly(push);
    else await pushBranch(push, commitToPush, signal);
  });
  const returned =
    params.merge && params.returning === "unmerged" ? commitToPush : await headOf(repo, params.repository);
  const info = await headInfo(repo, source.uri);
  return {
    version: { ...(params.branch !== undefined && { branch: params.branch }), ref: returned },
    metadata: metadataFields(info),
  };
}

async function pushTagOnly(push: Push): Promise<void> {
  await createTag(push);
  const outcome = await pushRefs(push, [`refs/tags/${push.tag}`]);
  if (outcome !== "pushed") throw rejected(push, outcome);
}

async function pushBranch(push: Push, commitToPush: string, signal: AbortSignal | undefined): Promise<void> {
  const { params } = push;
  const integrating = params.rebase === true || params.merge === true;
  for (let attempt = 1; ; attempt++) {
    if (params.merge) await local(push, ["reset", "--quiet", "--hard", commitToPush]);
    if (integrating) await integrate(push);
    if (push.tag !== undefined) await createTag(push);
    const refspecs = [
      `HEAD:refs/heads/${push.branch}`,
      ...(push.tag === undefined ? [] : [`refs/tags/${push.tag}`]),
    ];
    const outcome = await pushRefs(push, refspecs);
    if (outcome === "pushed") return;
    if (!integrating || attempt >= maxPushAttempts) throw rejected(push, outcome, attempt);
    await sleep(50 * attempt + Math.random() * 100 * attempt, undefined, signal ? { signal } : {});
  }
}

/** Rebases (or merges) HEAD onto the branch's current tip; nothing to do when the branch does not exist yet. */
async function integrate(push: Push): Promise<void> {
  try {
    await runGit(
      ["fetch", "--quiet", "--no-tags", "--end-of-options", push.source.uri, `refs/heads/${push.branch}`],
      {
        ...push.call,
        cwd: push.repo,
      },
    );
  } catch (err) {
    if (err instanceof GitError && /couldn't find remote ref/i.test(err.stderr)) return;
    throw remoteFailure(err, "fetch from", push.source);
  }
  const rebase = push.params.rebase === true;
  try {
    await local(
      push,
      rebase
        ? ["rebase", "--quiet", "--rebase-merges", "FETCH_HEAD"]
        : ["merge", "--quiet", "--no-edit", "FETCH_HEAD"],
    );
  } catch (err) {
    await local(push, [rebase ? "rebase" : "merge", "--abort"]).catch(() => {});
    const reason =
      err instanceof GitError ? err.stderr.split("\n").filter(Boolean).slice(-3).join("; ") : String(err);
    throw new ResourceError(
      "Conflict",
      `${rebase ? "rebasing onto" : "merging"} branch "${push.branch}" of ${redact(push.source.uri)} failed: ${reason}`,
    );
  }
}

async function createTag(push: Push): Promise<void> {
  const annotate = push.annotation === undefined ? [] : ["--annotate", `--file=${push.annotation}`];
  await local(push, ["tag", "--force", ...annotate, "--end-of-options", push.tag ?? "", "HEAD"]);
}

type PushOutcome = "pushed" | { rejected: string };

async function pushRefs(push: Push, refspecs: string[]): Promise<PushOutcome> {
  const force = push.params.force ? ["--force"] : [];
  try {
    await runGit(["push", "--quiet", ...force, "--end-of-options", push.source.uri, ...refspecs], {
      ...push.call,
      cwd: push.repo,
    });
    return "pushed";
  } catch (err) {
    if (err instanceof GitError && isPushConflict(err)) {
      return {
        rejected: err.stderr
          .split("\n")
          .filter((line) => /rejected|hint: Updates were/.test(line))
          .join("; "),
      };
    }
    throw remoteFailure(err, "push to", push.source);
  }
}

function rejected(push: Push, outcome: Exclude<PushOutcome, "pushed">, attempts = 1): ResourceError {
  const where = `${push.branch === undefined ? "" : `branch "${push.branch}" of `}${redact(push.source.uri)}`;
  const after = attempts > 1 ? ` after ${attempts} attempts` : "";
  return new ResourceError("Conflict", `push to ${where} was rejected${after}: ${outcome.rejected}`);
}

/** A path the params name under the build's inputs; anything outside them is refused. */
function inputPath(inputsDir: string, relative: string, param: string): string {
  const root = path.resolve(inputsDir);
  const full = path.resolve(root, relative);
  if (full !== root && !full.startsWith(root + path.sep)) {
    throw new ResourceError(
      "InvalidConfig",
      `invalid params: ${param} "${relative}" is outside the build's inputs`,
    );
  }
  return full;
}

async function headOf(repo: string, name: string): Promise<string> {
  try {
    return (await runGit(["rev-parse", "--verify", "HEAD^{commit}"], { cwd: repo })).stdout.trim();
  } catch {
    throw new ResourceError(
      "InvalidConfig",
      `invalid params: repository "${name}" is not a git repository with a commit`,
    );
  }
}

async function tagName(inputsDir: string, file: string, prefix: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(inputPath(inputsDir, file, "tag"), "utf8");
  } catch (err) {
    if (err instanceof ResourceError) throw err;
    throw new ResourceError(
      "InvalidConfig",
      `invalid params: tag file "${file}" cannot be read from the build's inputs`,
    );
  }
  const name = `${prefix}${text.trim()}`;
  try {
    await runGit(["check-ref-format", `refs/tags/${name}`]);
  } catch {
    throw new ResourceError(
      "InvalidConfig",
      `invalid params: tag ${JSON.stringify(name.slice(0, 100))} is not a valid tag name`,
    );
  }
  return name;
}

/** The default identity, unless the repository (or its environment) configures one. */
async function identityEnv(repo: string): Promise<Record<string, string>> {
  try {
    await runGit(["var", "GIT_COMMITTER_IDENT"], { cwd: repo });
    return {};
  } catch {
    const { name, email } = defaultIdentity;
    return {
      GIT_AUTHOR_NAME: name,
      GIT_AUTHOR_EMAIL: email,
      GIT_COMMITTER_NAME: name,
      GIT_COMMITTER_EMAIL: email,
    };
  }
}

/** A git command on the repository only (no network). */
async function local(push: Push, args: string[]): Promise<void> {
  await runGit(args, { cwd: push.repo, env: push.identityEnv });
}

/** What git-resource tells about the commit a working copy has checked out (HEAD). */
import { runGit } from "../../../git/exec.ts";
import type { MetadataField } from "../resource.ts";

export interface CommitInfo {
  commit: string;
  author: string;
  authorEmail: string;
  authorDate: string;
  committer: string;
  committerDate: string;
  /** Comma-separated local branches pointing at the commit. */
  branch: string;
  /** Comma-separated tags pointing at the commit. */
  tags: string;
  message: string;
  /** The commit's page on GitHub, GitLab or Bitbucket; empty for other hosts. */
  url: string;
}

const maxMessageBytes = 10_240;

export async function headInfo(dir: string, remoteUri: string): Promise<CommitInfo> {
  const git = async (args: string[]) => (await runGit(args, { cwd: dir })).stdout;
  const fields = await git([
    "log",
    "-1",
    "--format=format:%H%x00%an%x00%ae%x00%ai%x00%cn%x00%ci%x00%B",
    "HEAD",
  ]);
  const [
    commit = "",
    author = "",
    authorEmail = "",
    authorDate = "",
    committer = "",
    committerDate = "",
    ...rest
  ] = fields.split("\0");
  const heads = await git(["for-each-ref", "--points-at=HEAD", "--format=%(refname:strip=2)", "refs/heads/"]);
  const tags = await git(["tag", "--points-at", "HEAD"]);
  return {
    commit,
    author,
    authorEmail,
    authorDate,
    committer,
    committerDate,
    branch: commaList(heads),
    tags: commaList(tags),
    message: Buffer.from(rest.join("\0")).subarray(0, maxMessageBytes).toString("utf8"),
    url: commitUrl(remoteUri, commit),
  };
}

export function metadataFields(info: CommitInfo): MetadataField[] {
  const optional = (name: string, value: string) => (value === "" ? [] : [{ name, value }]);
  return [
    { name: "commit", value: info.commit },
    { name: "author", value: info.author },
    { name: "author_date", value: info.authorDate },
    { name: "committer", value: info.committer },
    { name: "committer_date", value: info.committerDate },
    ...optional("branch", info.branch),
    ...optional("tags", info.tags),
    { name: "message", value: info.message },
    ...optional("url", info.url),
  ];
}

const commaList = (lines: string) =>
  lines
    .split("\n")
    .filter((line) => line !== "")
    .join(",");

/** As git-resource: https, ssh://git@ and scp-style git@ remotes of the well-known hosts. */
export function commitUrl(uri: string, commit: string): string {
  const m = /^(https?:\/\/|ssh:\/\/git@|git@)([^/]+)\/(.*)$/.exec(uri);
  if (!m) return "";
  let host = m[2] ?? "";
  let repoPath = (m[3] ?? "").replace(/\.git$/, "");
  if (m[1] === "git@" && host.includes(":")) {
    repoPath = `${host.slice(host.indexOf(":") + 1)}/${repoPath}`;
    host = host.slice(0, host.indexOf(":"));
  }
  host = host.replace(/^[^@]*@/, "");
  if (/github|gogs/.test(host)) return `https://${host}/${repoPath}/commit/${commit}`;
  if (/gitlab/.test(host)) return `https://${host}/${repoPath}/-/commit/${commit}`;
  if (/bitbucket/.test(host)) return `https://${host}/${repoPath}/commits/${commit}`;
  return "";
}

import type { Clone } from "./workspace.ts";

export interface Rollback {
  policy: string;
  image: string;
  commit: string;
  author: string;
  date: string;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Whether writing `value` into `file` would undo a person's rollback: the newest commit that added
 * or removed `value` in that file removed it, was not ours, and an earlier commit of ours had
 * written it (ours: committed as `ourEmail`). Rollbacks committed at or before `acknowledgedAt` (a `sluice resume`) are ignored.
 */
export async function findRollback(
  clone: Clone,
  file: string,
  policy: string,
  value: string,
  ourEmail: string,
  acknowledgedAt: Date | undefined,
): Promise<Rollback | undefined> {
  const { stdout } = await clone.git([
    "log",
    "--format=%H%x00%an%x00%cI%x00%ce%x1e",
    `-G${escapeRegex(value)}`,
    "--",
    file,
  ]);
  const commits = stdout
    .split("\x1e")
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const [sha = "", author = "", date = "", committer = ""] = r.split("\x00");
      return { sha, author, date, ours: committer === ourEmail };
    });
  const newest = commits[0];
  if (!newest || newest.ours || !commits.slice(1).some((c) => c.ours)) return undefined;
  if (acknowledgedAt && new Date(newest.date) <= acknowledgedAt) return undefined;
  return { policy, image: value, commit: newest.sha, author: newest.author, date: newest.date };
}

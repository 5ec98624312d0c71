import { z } from "zod";
import { NotificationError } from "../errors.ts";
import { call } from "../http.ts";
import { revisionOf } from "../event.ts";
import type { FluxEvent, SendConfig } from "../types.ts";

export type CommitState = "success" | "failure" | "failed" | "pending";

export interface Repository {
  /** `https://host[:port]` of the git service (ssh addresses become https) */
  base: string;
  /** repository path without leading slash and `.git`, e.g. `owner/repo` or `group/sub/project` */
  id: string;
}

/** Parses `https://host/owner/repo(.git)`, `ssh://git@host/owner/repo` or `git@host:owner/repo`. */
export function parseGitAddress(provider: string, address: string): Repository {
  const trimmed = address.trim();
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)(.+)$/.exec(trimmed);
  let base: string;
  let path: string;
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    base = `https://${scp[1]}`;
    path = scp[2]!;
  } else {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw invalid(provider, "invalid repository address");
    }
    if (url.protocol === "ssh:") base = `https://${url.hostname}`;
    else if (url.protocol === "http:" || url.protocol === "https:") base = `${url.protocol}//${url.host}`;
    else throw invalid(provider, "repository address must be http(s) or ssh");
    path = url.pathname;
  }
  const id = path
    .replace(/^\/+/, "")
    .replace(/\/+$/, "")
    .replace(/\.git$/, "");
  if (!id) throw invalid(provider, "repository address has no repository path");
  return { base, id };
}

/** `owner` and `repo` of a two-segment repository id (GitHub, Gitea). */
export function ownerRepo(provider: string, id: string): [string, string] {
  const parts = id.split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw invalid(provider, `invalid repository id "${id}"`);
  return [parts[0], parts[1]];
}

/**
 * The commit hash of a revision: `main@sha1:<sha>`, `sha1:<sha>`, `main/<sha>` or `<sha>`, as
 * Flux's `git.ExtractHashFromRevision`.
 */
export function parseRevision(revision: string): string | undefined {
  const colon = revision.lastIndexOf(":");
  let hash: string;
  if (colon >= 0) hash = revision.slice(colon + 1);
  else if (revision.includes("/")) hash = revision.slice(revision.lastIndexOf("/") + 1);
  else hash = revision;
  return /^[0-9a-f]{4,64}$/i.test(hash) ? hash.toLowerCase() : undefined;
}

/** The commit sha of a notification, or an InvalidEvent error. */
export function commitOf(provider: string, event: FluxEvent): string {
  const revision = revisionOf(event);
  if (!revision) {
    throw new NotificationError({
      reason: "InvalidEvent",
      provider,
      message: `${provider}: missing revision metadata`,
    });
  }
  const sha = parseRevision(revision);
  if (!sha) {
    throw new NotificationError({
      reason: "InvalidEvent",
      provider,
      message: `${provider}: failed to extract commit hash from '${revision.slice(0, 200)}' revision`,
    });
  }
  return sha;
}

/** Flux's default status context: `<kind>/<name>/<first segment of the Provider uid>`, lower case. */
export function commitStatusId(event: FluxEvent, providerUid: string | undefined): string {
  const o = event.involvedObject;
  const uidPart = (providerUid ?? "").split("-")[0];
  return (uidPart ? `${o.kind}/${o.name}/${uidPart}` : `${o.kind}/${o.name}`).toLowerCase();
}

export function contextFor(config: SendConfig, event: FluxEvent): string {
  return config.commitStatus || commitStatusId(event, config.providerUid);
}

/** `ReconciliationSucceeded` → `reconciliation succeeded`, Flux's status description. */
export function describeReason(reason: string): string {
  return splitCamelcase(reason).join(" ").toLowerCase();
}

/** Go's fatih/camelcase split, as Flux uses it. */
export function splitCamelcase(src: string): string[] {
  const runs: string[][] = [];
  let last = 0;
  for (const r of src) {
    const cls = /\p{Ll}/u.test(r) ? 1 : /\p{Lu}/u.test(r) ? 2 : /\p{Nd}/u.test(r) ? 3 : 4;
    if (cls === last && runs.length) runs[runs.length - 1]!.push(r);
    else runs.push([r]);
    last = cls;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    const cur = runs[i]!;
    const next = runs[i + 1]!;
    if (/\p{Lu}/u.test(cur[0] ?? "") && /\p{Ll}/u.test(next[0] ?? "")) {
      next.unshift(cur.pop()!);
    }
  }
  return runs.filter((r) => r.length).map((r) => r.join(""));
}

export function requireToken(provider: string, config: SendConfig): string {
  if (!config.token) throw invalid(provider, `${provider} token cannot be empty`);
  return config.token;
}

const ListedStatus = z.object({
  context: z.string().optional(),
  name: z.string().optional(),
  state: z.string().optional(),
  status: z.string().optional(),
  description: z.string().nullable().optional(),
  sha: z.string().optional(),
});
export type ListedStatus = z.infer<typeof ListedStatus>;

/** GETs a list of existing statuses; unreadable lists count as empty (the status is then posted). */
export async function listStatuses(
  provider: string,
  config: SendConfig,
  url: URL,
  headers: Record<string, string>,
): Promise<ListedStatus[]> {
  const answer = await call(provider, config, { method: "GET", url, headers });
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    return [];
  }
  const parsed = z.array(ListedStatus).safeParse(json);
  return parsed.success ? parsed.data : [];
}

/** GitHub/Gitea: the newest status with the same context has the same state and description. */
export function latestIsSame(
  statuses: ListedStatus[],
  want: { context: string; state: string; description: string },
): boolean {
  const latest = statuses.find((s) => s.context === want.context && s.state && s.description);
  return !!latest && latest.state === want.state && latest.description === want.description;
}

function invalid(provider: string, message: string): NotificationError {
  return new NotificationError({ reason: "InvalidConfig", provider, message: `${provider}: ${message}` });
}

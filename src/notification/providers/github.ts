import { postJson } from "../http.ts";
import type { FluxEvent, SendConfig } from "../types.ts";
import {
  commitOf,
  contextFor,
  describeReason,
  latestIsSame,
  listStatuses,
  ownerRepo,
  parseGitAddress,
  requireToken,
} from "./commit-status.ts";

/** `https://api.github.com` for github.com, `<host>/api/v3` for GitHub Enterprise. */
export function githubApiBase(base: string): string {
  return new URL(base).host === "github.com" ? "https://api.github.com" : `${base}/api/v3`;
}

/**
 * `github`: sets the commit status `success`/`failure` with context `<kind>/<name>/<provider uid
 * prefix>` on the revision's commit; skips Progressing events and repeats of the latest status.
 */
export async function send(config: SendConfig, payload: FluxEvent): Promise<void> {
  if (payload.reason === "Progressing") return;
  const token = requireToken("github", config);
  const repo = parseGitAddress("github", config.address);
  const [owner, name] = ownerRepo("github", repo.id);
  const sha = commitOf("github", payload);
  const api = `${githubApiBase(repo.base)}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  const headers = {
    Authorization: `Bearer ${token}`,
    Accept: "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
  };
  const status = {
    state: payload.severity === "error" ? "failure" : "success",
    context: contextFor(config, payload),
    description: describeReason(payload.reason),
  };
  const existing = await listStatuses(
    "github",
    config,
    new URL(`${api}/commits/${sha}/statuses?per_page=50`),
    headers,
  );
  if (latestIsSame(existing, status)) return;
  await postJson("github", config, new URL(`${api}/statuses/${sha}`), status, headers);
}

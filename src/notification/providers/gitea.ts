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

/**
 * `gitea` (and Forgejo): commit status `pending` for Progressing events, else `success`/`failure`,
 * via `/api/v1/repos/:owner/:repo/statuses/:sha`; repeats of the latest status are skipped.
 */
export async function send(config: SendConfig, payload: FluxEvent): Promise<void> {
  const token = requireToken("gitea", config);
  const repo = parseGitAddress("gitea", config.address);
  const [owner, name] = ownerRepo("gitea", repo.id);
  const sha = commitOf("gitea", payload);
  const api = `${repo.base}/api/v1/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  const headers = { Authorization: `token ${token}`, Accept: "application/json" };
  const state =
    payload.reason === "Progressing" ? "pending" : payload.severity === "error" ? "failure" : "success";
  const status = { state, context: contextFor(config, payload), description: describeReason(payload.reason) };
  const existing = await listStatuses(
    "gitea",
    config,
    new URL(`${api}/commits/${sha}/statuses?page=1&limit=50`),
    headers,
  );
  if (latestIsSame(existing, status)) return;
  await postJson("gitea", config, new URL(`${api}/statuses/${sha}`), { ...status, target_url: "" }, headers);
}

import { postJson } from "../http.ts";
import type { FluxEvent, SendConfig } from "../types.ts";
import {
  commitOf,
  contextFor,
  describeReason,
  listStatuses,
  parseGitAddress,
  requireToken,
} from "./commit-status.ts";

/**
 * `gitlab`: commit status `success`/`failed` named `<kind>/<name>/<provider uid prefix>` via
 * `/api/v4/projects/:id/statuses/:sha` (id = URL-encoded project path); skips Progressing events and
 * statuses identical to an existing one.
 */
export async function send(config: SendConfig, payload: FluxEvent): Promise<void> {
  if (payload.reason === "Progressing") return;
  const token = requireToken("gitlab", config);
  const repo = parseGitAddress("gitlab", config.address);
  const sha = commitOf("gitlab", payload);
  const project = `${repo.base}/api/v4/projects/${encodeURIComponent(repo.id)}`;
  const headers = { "PRIVATE-TOKEN": token, Accept: "application/json" };
  const name = contextFor(config, payload);
  const state = payload.severity === "error" ? "failed" : "success";
  const description = describeReason(payload.reason);
  const listUrl = new URL(`${project}/repository/commits/${sha}/statuses`);
  listUrl.searchParams.set("name", name);
  const existing = await listStatuses("gitlab", config, listUrl, headers);
  const same = existing.some(
    (s) => s.sha === sha && s.status === state && s.description === description && s.name === name,
  );
  if (same) return;
  await postJson(
    "gitlab",
    config,
    new URL(`${project}/statuses/${sha}`),
    { state, name, description },
    headers,
  );
}

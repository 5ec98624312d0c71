import { NotificationError } from "../errors.ts";
import { parseAddress, postJson } from "../http.ts";
import type { FluxEvent, SendConfig } from "../types.ts";

export interface SlackField {
  title: string;
  value: string;
  short: boolean;
}

export interface SlackAttachment {
  color: "good" | "danger";
  author_name: string;
  text: string;
  mrkdwn_in: string[];
  fields: SlackField[];
}

export interface SlackPayload {
  channel?: string;
  username: string;
  icon_url: string;
  icon_emoji: string;
  attachments: SlackAttachment[];
}

/** `kustomization/name.namespace`, how Flux names the object in chat messages. */
export function objectTitle(e: FluxEvent): string {
  const o = e.involvedObject;
  return `${o.kind.toLowerCase()}/${o.name}.${o.namespace ?? ""}`;
}

/** Metadata as sorted [key, value] pairs (Flux iterates a Go map; sorted is stable and testable). */
export function metadataEntries(e: FluxEvent): [string, string][] {
  return Object.entries(e.metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Slack's incoming-webhook / chat.postMessage payload as Flux builds it. */
export function slackPayload(config: Pick<SendConfig, "channel" | "username">, e: FluxEvent): SlackPayload {
  return {
    ...(config.channel ? { channel: config.channel } : {}),
    username: config.username || e.reportingController,
    icon_url: "",
    icon_emoji: "",
    attachments: [
      {
        color: e.severity === "error" ? "danger" : "good",
        author_name: objectTitle(e),
        text: e.message,
        mrkdwn_in: ["text"],
        fields: metadataEntries(e).map(([title, value]) => ({ title, value, short: false })),
      },
    ],
  };
}

const postMessageUrl = "https://slack.com/api/chat.postMessage";

/**
 * `slack`: an incoming webhook, or `chat.postMessage` with a bot token (Bearer). chat.postMessage
 * answers 200 even on failure, so its `{ok, error}` body is checked.
 */
export async function send(config: SendConfig, payload: FluxEvent): Promise<void> {
  const url = parseAddress("slack", config.address);
  const answer = await postJson(
    "slack",
    config,
    url,
    slackPayload(config, payload),
    config.token ? { Authorization: `Bearer ${config.token}` } : undefined,
  );
  if (url.href === postMessageUrl) checkSlackApiAnswer(answer.body);
}

function checkSlackApiAnswer(body: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new NotificationError({
      reason: "Rejected",
      provider: "slack",
      message: "slack: unreadable API answer",
    });
  }
  const answer = parsed as { ok?: unknown; error?: unknown };
  if (answer.ok === true) return;
  const error = typeof answer.error === "string" ? answer.error.slice(0, 100) : "unknown error";
  throw new NotificationError({
    reason: "Rejected",
    provider: "slack",
    retryable: error === "ratelimited",
    message: `slack: API responded with error: ${error}`,
  });
}

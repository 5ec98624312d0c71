import { parseAddress, postJson } from "../http.ts";
import type { FluxEvent, SendConfig } from "../types.ts";
import { slackPayload } from "./slack.ts";

/** Discord's Slack-compatible endpoint: the webhook address with `/slack` appended. */
export function discordUrl(address: string): URL {
  const url = parseAddress("discord", address);
  if (!url.pathname.endsWith("/slack")) url.pathname = `${url.pathname.replace(/\/+$/, "")}/slack`;
  return url;
}

/** `discord`: the Slack payload posted to `<webhook>/slack`, as Flux does. */
export async function send(config: SendConfig, payload: FluxEvent): Promise<void> {
  await postJson("discord", config, discordUrl(config.address), slackPayload(config, payload));
}

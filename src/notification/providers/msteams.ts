import { parseAddress, postJson } from "../http.ts";
import type { FluxEvent, SendConfig } from "../types.ts";
import { metadataEntries, objectTitle } from "./slack.ts";

/** Legacy Office 365 connector webhooks take a MessageCard; Workflows (Power Automate) an Adaptive Card. */
export function isLegacyConnector(url: URL): boolean {
  return /(^|\.)webhook\.office\.com$/.test(url.hostname) || url.hostname === "outlook.office.com";
}

export function messageCard(e: FluxEvent): Record<string, unknown> {
  const title = objectTitle(e);
  return {
    "@type": "MessageCard",
    "@context": "http://schema.org/extensions",
    themeColor: e.severity === "error" ? "FF0000" : "0076D7",
    summary: title,
    sections: [
      {
        activityTitle: e.message,
        activitySubtitle: title,
        facts: metadataEntries(e).map(([name, value]) => ({ name, value })),
      },
    ],
  };
}

export function adaptiveCard(e: FluxEvent): Record<string, unknown> {
  const facts = metadataEntries(e).map(([title, value]) => ({ title, value }));
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body: [
            {
              type: "TextBlock",
              text: objectTitle(e),
              weight: "bolder",
              size: "medium",
              color: e.severity === "error" ? "attention" : "good",
            },
            { type: "TextBlock", text: e.message, wrap: true },
            ...(facts.length ? [{ type: "FactSet", facts }] : []),
          ],
        },
      },
    ],
  };
}

/** `msteams`: a MessageCard for legacy connectors, otherwise an Adaptive Card message. */
export async function send(config: SendConfig, payload: FluxEvent): Promise<void> {
  const url = parseAddress("msteams", config.address);
  const body = isLegacyConnector(url) ? messageCard(payload) : adaptiveCard(payload);
  await postJson("msteams", config, url, body);
}

import { createHash, createHmac } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { request } from "undici";
import { z } from "zod";

/**
 * Webhooks the local environment sends, as real senders do: the git server sends GitHub-style
 * push events for every push, and the registry's notifications are relayed to `distribution`
 * receivers. Registered in DIR/webhooks.json (`sluice dev webhook add`), read at each event.
 */
export const Webhook = z.object({
  url: z.string().url(),
  type: z.enum(["github", "distribution"]),
  token: z.string().min(1),
});
export type Webhook = z.infer<typeof Webhook>;

export const registryEventsPath = "/_registry-events";
export const webhooksFile = (dir: string) => path.join(dir, "webhooks.json");

/**
 * A webhook token of the environment for `purpose`, the same on every run (so registering it
 * again replaces the earlier hook) and known to nobody without the environment's git password.
 */
export const environmentToken = (gitPassword: string, purpose: string): string =>
  createHash("sha256").update(`${purpose}\0${gitPassword}`).digest("hex").slice(0, 32);

export async function readWebhooks(file: string): Promise<Webhook[]> {
  try {
    return z.array(Webhook).parse(JSON.parse(await readFile(file, "utf8")));
  } catch {
    return [];
  }
}

export async function addWebhook(dir: string, hook: Webhook): Promise<void> {
  const file = webhooksFile(dir);
  const hooks = [...(await readWebhooks(file)).filter((h) => h.url !== hook.url), Webhook.parse(hook)];
  await writeFile(`${file}.tmp`, JSON.stringify(hooks, null, 2), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  try {
    const res = await request(url, {
      method: "POST",
      body,
      headers,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    await res.body.dump();
  } catch {
    // a receiver that is down misses this event, as with a real sender; polling catches up
  }
}

/** A GitHub `push` event for `repo`, signed with each github webhook's token. */
export async function sendPushWebhooks(file: string, repo: string, gitUrl: string): Promise<void> {
  const body = JSON.stringify({
    ref: "refs/heads/main",
    repository: { full_name: repo, clone_url: `${gitUrl}/${repo}.git` },
  });
  for (const hook of (await readWebhooks(file)).filter((h) => h.type === "github")) {
    const signature = `sha256=${createHmac("sha256", hook.token).update(body).digest("hex")}`;
    await post(hook.url, body, {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-hub-signature-256": signature,
    });
  }
}

/** Relays a registry notification envelope to each distribution webhook with its bearer token. */
export async function relayRegistryEvents(file: string, body: string): Promise<void> {
  for (const hook of (await readWebhooks(file)).filter((h) => h.type === "distribution")) {
    await post(hook.url, body, {
      "content-type": "application/vnd.docker.distribution.events.v1+json",
      authorization: `Bearer ${hook.token}`,
    });
  }
}

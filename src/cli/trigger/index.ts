/**
 * `sluice trigger receiver NAME [--receiver-url URL]`: calls a Receiver's webhook as its sender
 * would, to check the path end to end: reads the Receiver and its Secret's token, builds a request
 * that src/server/receivers/verify.ts accepts for the Receiver's type (signature, token header or
 * bearer token, event header, payload shape) and POSTs it to `<URL><status.webhookPath>`.
 */
import { createHmac } from "node:crypto";
import type { Command } from "commander";
import { z } from "zod";
import { isNotFound } from "../../kube/errors.ts";
import { isReceiverType, receiverTypes, type ReceiverType } from "../../server/receivers/verify.ts";
import { SluiceError } from "../../common/errors.ts";
import { objectName, usageError } from "../shared/flags.ts";
import { commandGroup, getCommand, getObject, receiverKind } from "../shared/kinds.ts";
import { addKubeFlags, withCluster, type KubeFlags } from "../shared/kube-flags.ts";
import { say } from "../shared/output.ts";

export const defaultReceiverUrl = "http://127.0.0.1:9292";

interface TriggerFlags extends KubeFlags {
  receiverUrl: string;
}

/** What a sender of one type puts in its request. */
interface WebhookCall {
  headers: Record<string, string>;
  body: string;
}

/** The request for `token`, with `event` the event it announces (the sender's push, or the first the Receiver handles). */
type Build = (token: string, event: string) => WebhookCall;

const json = (payload: unknown, headers: Record<string, string> = {}): WebhookCall => ({
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(payload),
});

const hmacHex = (algorithm: "sha1" | "sha256", token: string, body: string) =>
  createHmac(algorithm, token).update(body).digest("hex");

/** A JSON body signed with `sha256=<hex>` in `header` (GitHub's format, also generic-hmac's and Bitbucket's). */
const signedJson = (payload: unknown, token: string, header: string, more: Record<string, string> = {}) => {
  const call = json(payload, more);
  return { ...call, headers: { ...call.headers, [header]: `sha256=${hmacHex("sha256", token, call.body)}` } };
};

const sender = "sluice trigger receiver";
const image = { repository: "sluice/trigger", tag: "latest" };

/** Per type: the sender's push event (announced unless the Receiver handles only others) and the request. */
const calls: Record<ReceiverType, { push?: string; build: Build }> = {
  generic: { build: () => json({ sender }) },
  "generic-hmac": { build: (token) => signedJson({ sender }, token, "x-signature") },
  github: {
    push: "push",
    build: (token, event) =>
      signedJson({ ref: "refs/heads/main", sender: { login: sender } }, token, "x-hub-signature-256", {
        "x-github-event": event,
      }),
  },
  gitlab: {
    push: "Push Hook",
    build: (token, event) =>
      json(
        { object_kind: "push", ref: "refs/heads/main" },
        { "x-gitlab-token": token, "x-gitlab-event": event },
      ),
  },
  gitea: {
    push: "push",
    build: (token, event) => {
      const call = json({ ref: "refs/heads/main" }, { "x-gitea-event": event });
      return {
        ...call,
        headers: { ...call.headers, "x-gitea-signature": hmacHex("sha256", token, call.body) },
      };
    },
  },
  bitbucket: {
    push: "repo:refs_changed",
    build: (token, event) =>
      signedJson({ eventKey: event }, token, "x-hub-signature", { "x-event-key": event }),
  },
  harbor: { build: (token) => json({ type: "PUSH_ARTIFACT" }, { authorization: token }) },
  dockerhub: {
    build: () =>
      json({
        push_data: { tag: image.tag },
        repository: { repo_url: `https://hub.docker.com/r/${image.repository}` },
      }),
  },
  quay: { build: () => json({ docker_url: `quay.io/${image.repository}`, updated_tags: [image.tag] }) },
  acr: { build: () => json({ action: "push", target: image }) },
  nexus: {
    build: (token) => {
      const call = json({ repositoryName: image.repository, action: "CREATED" });
      return {
        ...call,
        headers: { ...call.headers, "x-nexus-webhook-signature": hmacHex("sha1", token, call.body) },
      };
    },
  },
  distribution: {
    push: "push",
    build: (token, event) => ({
      headers: {
        "content-type": "application/vnd.docker.distribution.events.v1+json",
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({
        events: [
          {
            action: event,
            target: { ...image, mediaType: "application/vnd.oci.image.manifest.v1+json" },
          },
        ],
      }),
    }),
  },
};

/** The event to announce: the type's push when the Receiver handles it (or every event), else the first it handles. */
export function chosenEvent(push: string | undefined, events: readonly string[]): string {
  if (push === undefined) return "";
  if (events.length === 0 || events.some((e) => e.toLowerCase() === push.toLowerCase())) return push;
  return events[0]!;
}

/** The request a sender of `type` would make for a Receiver handling `events`. */
export function webhookCall(type: ReceiverType, token: string, events: readonly string[]): WebhookCall {
  const { push, build } = calls[type];
  return build(token, chosenEvent(push, events));
}

function receiverUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageError(`--receiver-url "${value}" is not a URL`, `e.g. ${defaultReceiverUrl}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw usageError(`--receiver-url "${value}" must be an http:// or https:// URL`);
  return value.replace(/\/+$/, "");
}

const ReceiverFields = z.object({
  spec: z.looseObject({
    type: z.string(),
    events: z.array(z.string()).optional(),
    secretRef: z.object({ name: z.string() }),
  }),
  status: z.looseObject({ webhookPath: z.string().optional() }).optional(),
});

const TokenSecret = z.looseObject({ data: z.record(z.string(), z.string()).optional() });

/** The Receiver's type, events, webhook path and token, or why it cannot be triggered. */
async function readReceiver(name: string, flags: KubeFlags) {
  const ns = flags.namespace;
  return withCluster(flags, async (client) => {
    const receiver = ReceiverFields.parse(await getObject(client, receiverKind, name, ns));
    const { type, events = [], secretRef } = receiver.spec;
    if (!isReceiverType(type))
      throw new SluiceError(
        `Receiver '${ns}/${name}' has type '${type}', which Sluice's receiver server does not handle`,
        {
          hint: `the types it handles: ${receiverTypes.join(", ")}`,
        },
      );
    const path = receiver.status?.webhookPath;
    if (!path)
      throw new SluiceError(`Receiver '${ns}/${name}' has no webhook path yet`, {
        hint: `is it Ready? '${getCommand(receiverKind, ns, name)}'`,
      });
    let secret: z.infer<typeof TokenSecret>;
    try {
      secret = TokenSecret.parse(await client.get("v1", "Secret", secretRef.name, ns));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      throw new SluiceError(`the Receiver's Secret '${ns}/${secretRef.name}' not found`);
    }
    const encoded = secret.data?.["token"];
    if (!encoded) throw new SluiceError(`the Receiver's Secret '${ns}/${secretRef.name}' has no 'token' key`);
    // trimmed as the controller trims it
    return { type, events, path, token: Buffer.from(encoded, "base64").toString("utf8").trim() };
  });
}

async function trigger(name: string, flags: TriggerFlags): Promise<void> {
  objectName(receiverKind.kind, name);
  const base = receiverUrl(flags.receiverUrl);
  const { type, events, path, token } = await readReceiver(name, flags);
  const call = webhookCall(type, token, events);
  const url = `${base}${path}`;
  say.action(`calling ${type} webhook of Receiver ${flags.namespace}/${name} at ${url}`);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: call.headers,
      body: call.body,
      signal: AbortSignal.timeout(flags.timeout),
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new SluiceError(`cannot reach the receiver server at ${base}: ${cause}`, {
      hint: "pass --receiver-url; is 'sluice server' running with the receiver controller?",
      cause: err,
    });
  }
  const status = `${response.status} ${response.statusText}`.trim();
  const text = (await response.text()).trim();
  if (!response.ok) throw new SluiceError(`the receiver answered ${status}${text ? `: ${text}` : ""}`);
  say.success(`webhook accepted: ${status}`);
}

export function registerTriggerCommands(program: Command): void {
  const triggerCmd = commandGroup(program, "trigger", "call webhooks as their senders would");
  addKubeFlags(
    triggerCmd
      .command("receiver")
      .description(
        "POST a request valid for the Receiver's type (signed with its token) to its webhook path and print the answer",
      )
      .argument("<name>", "name of the Receiver")
      .option("--receiver-url <url>", "base URL of the receiver server", defaultReceiverUrl),
  ).action((name: string, flags: TriggerFlags) => trigger(name, flags));
}

/** Parts of the Receiver API that several versions share. */
import { z } from "zod";
import { Duration, LocalObjectReference } from "../../meta.ts";
import { API_VERSION_V1, API_VERSION_V1BETA1, API_VERSION_V1BETA2 } from "../common.ts";

export { API_VERSION_V1, API_VERSION_V1BETA1, API_VERSION_V1BETA2, GROUP } from "../common.ts";

export const KIND = "Receiver";
export const SERVED_API_VERSIONS = [API_VERSION_V1, API_VERSION_V1BETA2, API_VERSION_V1BETA1] as const;
export type ServedApiVersion = (typeof SERVED_API_VERSIONS)[number];

/** The webhook senders Flux's v1 Receiver knows. */
export const FLUX_RECEIVER_TYPES = [
  "generic",
  "generic-hmac",
  "github",
  "gitlab",
  "bitbucket",
  "harbor",
  "dockerhub",
  "quay",
  "gcr",
  "nexus",
  "acr",
  "cdevents",
] as const;

/**
 * Flux's types plus two of Sluice's own: `gitea` (Gitea's `X-Gitea-Signature` HMAC and
 * `X-Gitea-Event`) and `distribution` (the CNCF Distribution registry's notification envelope,
 * with `Authorization: Bearer <token>`). An object using either cannot be applied to Flux.
 */
export const ReceiverType = z
  .enum([...FLUX_RECEIVER_TYPES, "gitea", "distribution"])
  .describe(
    "Type of webhook sender, which decides how a request is authenticated and its payload read; 'gitea' and 'distribution' (the CNCF Distribution registry's notifications, with a bearer token) are Sluice's own.",
  );
export type ReceiverType = z.infer<typeof ReceiverType>;

/** The types v1beta2 listed. */
export const ReceiverTypeV1beta2 = z.enum(FLUX_RECEIVER_TYPES).exclude(["cdevents"]);

export const Events = z
  .array(z.string())
  .describe(
    "Event types to handle, e.g. 'push' for GitHub or 'Push Hook' for GitLab; every event when empty.",
  );

export const SecretRef = LocalObjectReference.describe(
  "The Secret whose 'token' key authenticates requests and is part of the webhook path.",
);

export const Suspend = z.boolean().describe("Stops handling requests for this Receiver while true.");

export const Interval = Duration.describe("How often the Receiver is reconciled with its Secret.");

export const WebhookPath = z
  .string()
  .describe("The path the webhook is served at: '/hook/' and sha256(token + name + namespace) in hex.");

export const Url = z
  .string()
  .describe("The path the webhook is served at, the form status.webhookPath replaced.");

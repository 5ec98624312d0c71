/** Parts of the Provider API that several versions share. */
import { z } from "zod";
import { Duration, LocalObjectReference, TimeoutDuration } from "../../meta.ts";
import { API_VERSION_V1BETA1, API_VERSION_V1BETA2, API_VERSION_V1BETA3 } from "../common.ts";

export { API_VERSION_V1BETA1, API_VERSION_V1BETA2, API_VERSION_V1BETA3, GROUP } from "../common.ts";

export const KIND = "Provider";
export const SERVED_API_VERSIONS = [API_VERSION_V1BETA3, API_VERSION_V1BETA2, API_VERSION_V1BETA1] as const;
export type ServedApiVersion = (typeof SERVED_API_VERSIONS)[number];

/** Flux's v1beta3 provider types. */
export const PROVIDER_TYPES = [
  "slack",
  "discord",
  "msteams",
  "rocket",
  "generic",
  "generic-hmac",
  "github",
  "gitlab",
  "gitea",
  "bitbucketserver",
  "bitbucket",
  "azuredevops",
  "googlechat",
  "googlepubsub",
  "webex",
  "sentry",
  "azureeventhub",
  "telegram",
  "lark",
  "matrix",
  "opsgenie",
  "alertmanager",
  "grafana",
  "githubdispatch",
  "pagerduty",
  "datadog",
  "nats",
] as const;

export const ProviderType = z
  .enum(PROVIDER_TYPES)
  .describe("Which provider implementation sends the events.");
export type ProviderType = z.infer<typeof ProviderType>;

/** The types v1beta2 and v1beta1 listed over their releases. */
export const ProviderTypeV1beta2 = ProviderType.exclude(["bitbucketserver", "datadog", "nats"]);

/** The provider types that set commit statuses, the only ones commitStatusExpr applies to. */
export const COMMIT_STATUS_TYPES = [
  "github",
  "gitlab",
  "gitea",
  "bitbucketserver",
  "bitbucket",
  "azuredevops",
] as const;

export const Channel = z.string().max(2048).describe("The destination channel events are posted to.");
export const Username = z.string().max(2048).describe("The name events are posted under.");
export const Address = z
  .string()
  .max(2048)
  .describe(
    "Where events are sent; an HTTP/S address for generic providers, a project or namespace for some others.",
  );
export const Timeout = TimeoutDuration.describe("Timeout for sending an event; 15s when empty.");
export const Proxy = z
  .string()
  .max(2048)
  .regex(/^(http|https):\/\/.*$/)
  .describe("HTTP/S address of the proxy server.");
export const Interval = Duration.describe(
  "How often the Provider was reconciled with its Secret references.",
);
export const SecretRef = LocalObjectReference.describe("The Secret holding the provider's credentials.");
export const CertSecretRef = LocalObjectReference.describe(
  "The Secret holding TLS certificates: ca.crt, and tls.crt with tls.key for mTLS (caFile, certFile, keyFile in older versions).",
);
export const Suspend = z.boolean().describe("Stops sending events through this Provider while true.");

/** v1beta1 and v1beta2 share all their fields; v1beta3 kept every one. */
export const legacySpecShape = {
  type: ProviderTypeV1beta2,
  interval: Interval.exactOptional(),
  channel: Channel.exactOptional(),
  username: Username.exactOptional(),
  address: Address.exactOptional(),
  timeout: Timeout.exactOptional(),
  proxy: Proxy.exactOptional(),
  secretRef: SecretRef.exactOptional(),
  certSecretRef: CertSecretRef.exactOptional(),
  suspend: Suspend.exactOptional(),
};

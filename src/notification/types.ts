import type { Dispatcher as HttpDispatcher } from "undici";

/** Flux's event severities: Kubernetes `Warning` events are `error`, `Normal` events are `info`. */
export type Severity = "info" | "error";

export const providerTypes = [
  "generic",
  "generic-hmac",
  "slack",
  "msteams",
  "discord",
  "github",
  "gitlab",
  "gitea",
] as const;
export type ProviderType = (typeof providerTypes)[number];

/** Providers that set a commit status instead of posting a message. */
export const commitStatusProviders: ReadonlySet<ProviderType> = new Set(["github", "gitlab", "gitea"]);

export interface FluxInvolvedObject {
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
}

/** Flux's `event.toolkit.fluxcd.io` Event as the generic providers send it (JSON field names as Flux's). */
export interface FluxEvent {
  involvedObject: FluxInvolvedObject;
  severity: Severity;
  /** RFC 3339 */
  timestamp: string;
  message: string;
  reason: string;
  metadata?: Record<string, string>;
  reportingController: string;
  reportingInstance?: string;
}

/** One `spec.eventSources[]` entry (CrossNamespaceObjectReference). */
export interface EventSource {
  kind: string;
  /** `*` matches every name */
  name: string;
  /** defaults to the Alert's namespace */
  namespace?: string;
  matchLabels?: Record<string, string>;
}

/** What matching and dispatching need from an Alert (metadata + spec, flattened). */
export interface AlertSpecLike {
  /** the Alert's own namespace: the default for event sources */
  namespace: string;
  name?: string;
  eventSources: EventSource[];
  /** default `info` (every event) */
  eventSeverity?: Severity;
  /** Go regular expressions; when set, a message must match one */
  inclusionList?: string[];
  /** Go regular expressions; a message matching one is dropped */
  exclusionList?: string[];
  eventMetadata?: Record<string, string>;
  /** deprecated in Flux in favour of `eventMetadata.summary`; still honoured */
  summary?: string;
  suspend?: boolean;
}

/** What a provider module needs to send one notification. Secrets (token, address) stay out of errors. */
export interface SendConfig {
  /** webhook URL or, for commit status providers, the repository URL */
  address: string;
  /** bearer token, HMAC key (generic-hmac) or API token (github/gitlab/gitea) */
  token?: string;
  headers?: Record<string, string>;
  channel?: string;
  username?: string;
  timeoutMs: number;
  /** proxy URL (may carry credentials) */
  proxy?: string;
  /** PEM CA bundle to trust for the address */
  ca?: string;
  /** Provider metadata.uid: its first segment ends the commit status context, as in Flux */
  providerUid?: string;
  /** explicit commit status context (Flux's `spec.commitStatusExpr` result); default kind/name/uid-prefix */
  commitStatus?: string;
  signal?: AbortSignal;
  /** an HTTP dispatcher to use instead of the shared agents (tests, connection reuse) */
  httpDispatcher?: HttpDispatcher;
}

export type SendFn = (config: SendConfig, payload: FluxEvent) => Promise<void>;

/** A Provider resolved by the Kubernetes side: spec plus the Secret values it references. */
export interface ProviderConfig extends Omit<SendConfig, "timeoutMs" | "signal" | "httpDispatcher"> {
  type: ProviderType;
  name: string;
  namespace: string;
  /** default 15 s (Flux's default `spec.timeout`) */
  timeoutMs?: number;
  suspend?: boolean;
}

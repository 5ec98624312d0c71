export type NotificationErrorReason =
  /** the Provider/Alert cannot work as configured (bad address, missing token, unknown type) */
  | "InvalidConfig"
  /** the event lacks what the provider needs (e.g. no parseable revision for a commit status) */
  | "InvalidEvent"
  /** the service answered with an error status */
  | "HttpStatus"
  /** the service answered 2xx but reported a failure in the body (Slack `ok: false`) */
  | "Rejected"
  | "Network"
  | "Timeout"
  /** the dispatcher's queue was full and the notification was dropped */
  | "QueueFull"
  /** the send was cancelled (shutdown) */
  | "Aborted";

export interface NotificationErrorInit {
  reason: NotificationErrorReason;
  message: string;
  provider?: string;
  status?: number;
  retryable?: boolean;
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * Why one notification could not be sent. The message never carries the token, the webhook address
 * (which is itself a secret for Slack, Teams and Discord) or proxy credentials.
 */
export class NotificationError extends Error {
  readonly reason: NotificationErrorReason;
  readonly provider: string | undefined;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(init: NotificationErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "NotificationError";
    this.reason = init.reason;
    this.provider = init.provider;
    this.status = init.status;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export function isRetryable(err: unknown): boolean {
  return err instanceof NotificationError && err.retryable;
}

/** Replaces every occurrence of the given secrets (and their URL-encoded forms) with `*****`. */
export function maskSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join("*****");
  }
  return out;
}

import { z } from "zod";

/** The error body of the distribution spec: `{"errors":[{"code":"NAME_UNKNOWN","message":"..."}]}`. */
export const RegistryErrorBody = z.object({
  errors: z.array(
    z.object({
      code: z.string(),
      message: z.string().optional(),
      detail: z.unknown().optional(),
    }),
  ),
});
export type RegistryErrorBody = z.infer<typeof RegistryErrorBody>;
export type RegistryErrorEntry = RegistryErrorBody["errors"][number];

/**
 * - `http`: the registry answered with an unexpected status
 * - `network`: no answer (connection refused, reset, DNS)
 * - `timeout`: no answer within the request timeout
 * - `invalid-response`: an answer that breaks the protocol (bad JSON, pagination loop, digest mismatch)
 */
export type RegistryErrorReason = "http" | "network" | "timeout" | "invalid-response";

export interface RegistryErrorInit {
  registry: string;
  operation: string;
  reason: RegistryErrorReason;
  status?: number;
  errors?: RegistryErrorEntry[];
  /** What a person can do about it; appended to the message. */
  hint?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

/** Broader than the transport's immediate retries: a 500 may well be gone by the next reconcile. */
const retryableStatuses = new Set([408, 429, 500, 502, 503, 504]);

/** A failed registry call. Messages name the registry and operation, never credentials or tokens. */
export class RegistryError extends Error {
  readonly registry: string;
  readonly operation: string;
  readonly reason: RegistryErrorReason;
  readonly status: number | undefined;
  readonly errors: RegistryErrorEntry[];
  readonly hint: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(init: RegistryErrorInit) {
    super(describe(init), { cause: init.cause });
    this.name = "RegistryError";
    this.registry = init.registry;
    this.operation = init.operation;
    this.reason = init.reason;
    this.status = init.status;
    this.errors = init.errors ?? [];
    this.hint = init.hint;
    this.retryAfterMs = init.retryAfterMs;
  }

  /** The first error code of the registry's answer, e.g. NAME_UNKNOWN, UNAUTHORIZED, TOOMANYREQUESTS. */
  get code(): string | undefined {
    return this.errors[0]?.code;
  }

  get codes(): string[] {
    return this.errors.map((entry) => entry.code);
  }

  /** Whether trying again later may succeed (rate limits, outages, network trouble). */
  get retryable(): boolean {
    if (this.reason === "network" || this.reason === "timeout") return true;
    return this.status !== undefined && retryableStatuses.has(this.status);
  }
}

function describe(init: RegistryErrorInit): string {
  const what = `${init.operation} on registry ${init.registry} failed`;
  const details = [statusText(init), ...(init.errors ?? []).map(entryText)].filter((part) => part !== "");
  const hint = init.hint === undefined ? "" : `; ${init.hint}`;
  return `${what}: ${details.join(": ")}${hint}`;
}

function statusText(init: RegistryErrorInit): string {
  if (init.status !== undefined) return `HTTP ${init.status}`;
  return init.cause instanceof Error ? init.cause.message : "";
}

function entryText(entry: RegistryErrorEntry): string {
  return entry.message ? `${entry.code} (${entry.message})` : entry.code;
}

/** Error entries from a response body, or none when the body is not the spec's error JSON. */
export function parseErrorBody(body: Buffer): RegistryErrorEntry[] {
  if (body.length === 0) return [];
  try {
    const parsed = RegistryErrorBody.safeParse(JSON.parse(body.toString("utf8")));
    return parsed.success ? parsed.data.errors : [];
  } catch {
    return [];
  }
}

const hintsByCode: Record<string, string> = {
  NAME_UNKNOWN: "the repository does not exist on this registry; check its name",
  MANIFEST_UNKNOWN: "no manifest with this tag or digest; check the tag",
  BLOB_UNKNOWN: "the registry does not have this blob",
  DENIED: "the credentials are valid but lack permission for this repository",
  TOOMANYREQUESTS: "the registry is rate limiting; retry later",
  UNSUPPORTED: "the registry does not support this operation",
};

export function hintForCode(code: string | undefined): string | undefined {
  return code === undefined ? undefined : hintsByCode[code];
}

import { Agent, type Dispatcher } from "undici";
import type { Credentials } from "../oci/auth.ts";
import { RegistryError } from "../oci/errors.ts";
import {
  InvalidReferenceError,
  isValidTag,
  parseImageReference,
  type ImageReference,
} from "../oci/reference.ts";
import { RegistryClient } from "../oci/registry-client.ts";
import type { RequestGate } from "../oci/transport.ts";
import { compareByteOrder } from "../common/byte-order.ts";
import { compileGoRegexp, GoRegexpError, type GoRegexp } from "../common/go-regexp.ts";

/**
 * One scan of an ImageRepository: list every tag of `spec.image`, drop those matching the
 * exclusion list, and report what `status.lastScanResult` needs. Failures are ScanErrors with the
 * condition reason Flux uses and a message a person can act on, never a credential.
 */

/** Flux's default `spec.exclusionList`: cosign signatures are not deployable images. */
export const defaultExclusionList: readonly string[] = ["^.*\\.sig$"];
/** How many tags `status.lastScanResult.latestTags` lists. */
export const latestTagsCount = 10;

export interface ScanOptions {
  /** `spec.image`: "ghcr.io/org/app", "nginx", "localhost:5000/team/app"; no tag, no digest. */
  image: string;
  credentials?: Credentials | undefined;
  /** `spec.insecure`: plain HTTP. */
  insecure?: boolean | undefined;
  /** PEM certificates to trust (`certSecretRef` ca.crt); ignored when `dispatcher` is given. */
  ca?: string | Buffer | undefined;
  /** `spec.exclusionList`; empty or absent means the default. Go regular expressions. */
  exclusionList?: readonly string[] | undefined;
  /** `spec.timeout`: the whole scan, all pages and retries. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Shared by all scans of the process; every HTTP request passes it. */
  limiter?: RequestGate | undefined;
  /** A shared connection pool. */
  dispatcher?: Dispatcher | undefined;
  /** Immediate retries of one request (network trouble, 429/502/503/504). Default 2. */
  maxRetries?: number | undefined;
  retryBaseDelayMs?: number | undefined;
  /** A `Retry-After` longer than this fails the scan with `retryAfterMs` instead. Default 5 s. */
  maxRetryDelayMs?: number | undefined;
  pageSize?: number | undefined;
}

export interface ScanResult {
  /** As Flux reports it: "index.docker.io/library/nginx", "ghcr.io/org/app". */
  canonicalImageName: string;
  /** Every tag after exclusion, in the registry's order. */
  tags: string[];
  /** The first `latestTagsCount` tags in descending byte order, as Flux lists them. */
  latestTags: string[];
  /** Tags the exclusion list removed (and any the registry listed that are not valid tag names). */
  excluded: number;
  /** HTTP requests the scan sent (token fetches and retries included). */
  requests: number;
}

/** Condition reasons, named as Flux names them. */
export const ScanReason = {
  ImageURLInvalid: "ImageURLInvalid",
  AuthenticationFailed: "AuthenticationFailed",
  ReadOperationFailed: "ReadOperationFailed",
} as const;
export type ScanReason = (typeof ScanReason)[keyof typeof ScanReason];

/** What went wrong, finer than the reason: for messages, metrics and the requeue decision. */
export type ScanFailure =
  | "invalid-image"
  | "invalid-exclusion-list"
  | "unauthorized"
  | "denied"
  | "not-found"
  | "rate-limited"
  | "unavailable"
  | "network"
  | "timeout"
  | "invalid-response"
  | "registry-error";

export class ScanError extends Error {
  readonly reason: ScanReason;
  readonly failure: ScanFailure;
  /** Worth trying again later without a spec change; false means Stalled. */
  readonly retryable: boolean;
  /** The registry asked us to wait this long (429 with Retry-After): requeue after it. */
  readonly retryAfterMs: number | undefined;
  /** HTTP requests the failed scan sent. */
  requests = 0;

  constructor(
    reason: ScanReason,
    failure: ScanFailure,
    message: string,
    options: { retryable: boolean; retryAfterMs?: number | undefined; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = "ScanError";
    this.reason = reason;
    this.failure = failure;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

const defaults = { maxRetries: 2, retryBaseDelayMs: 250, maxRetryDelayMs: 5_000 };

export async function scanRepository(options: ScanOptions): Promise<ScanResult> {
  const reference = parseScanImage(options.image);
  const exclusions = compileExclusionList(options.exclusionList);
  let requests = 0;
  const counting: RequestGate = {
    acquire: (registry, signal) => {
      requests++;
      return options.limiter ? options.limiter.acquire(registry, signal) : Promise.resolve(() => {});
    },
  };
  const ownedAgent =
    options.dispatcher === undefined && options.ca !== undefined
      ? new Agent({ keepAliveTimeout: 10_000, connect: { ca: options.ca } })
      : undefined;
  const dispatcher = options.dispatcher ?? ownedAgent;
  const client = new RegistryClient({
    host: reference.registry,
    insecure: options.insecure ?? false,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries ?? defaults.maxRetries,
    retryBaseDelayMs: options.retryBaseDelayMs ?? defaults.retryBaseDelayMs,
    maxRetryDelayMs: options.maxRetryDelayMs ?? defaults.maxRetryDelayMs,
    gate: counting,
    ...(dispatcher ? { dispatcher } : {}),
  });
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const listed = await client.listTags(reference.repository, {
      signal,
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    });
    const tags = listed.filter((tag) => isValidTag(tag) && !exclusions.some((re) => re.test(tag)));
    return {
      canonicalImageName: canonicalImageName(reference),
      tags,
      latestTags: [...tags].sort((a, b) => compareByteOrder(b, a)).slice(0, latestTagsCount),
      excluded: listed.length - tags.length,
      requests,
    };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const failed = timeout.aborted
      ? timedOut(options, reference, error)
      : scanErrorFrom(error, options, reference);
    failed.requests = requests;
    throw failed;
  } finally {
    await client.close();
    await ownedAgent?.close();
  }
}

/** `spec.image` as Flux accepts it: no scheme, no tag, no digest. Throws ScanError(ImageURLInvalid). */
export function parseScanImage(image: string): ImageReference {
  const invalid = (problem: string, cause?: unknown) =>
    new ScanError(
      ScanReason.ImageURLInvalid,
      "invalid-image",
      `spec.image ${JSON.stringify(image)} ${problem}`,
      {
        retryable: false,
        cause,
      },
    );
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(image);
  if (scheme) throw invalid(`should not include a URL scheme; remove '${scheme[0]}'`);
  let reference: ImageReference;
  try {
    reference = parseImageReference(image);
  } catch (error) {
    const detail = error instanceof InvalidReferenceError ? error.message : String(error);
    throw invalid(`is not an image name: ${detail}`, error);
  }
  if (reference.tag !== undefined) throw invalid(`should not include a tag; remove ':${reference.tag}'`);
  if (reference.digest !== undefined)
    throw invalid(`should not include a digest; remove '@${reference.digest}'`);
  return reference;
}

/** Flux reports Docker Hub images under index.docker.io, as go-containerregistry names them. */
export function canonicalImageName(reference: ImageReference): string {
  const registry = reference.registry === "docker.io" ? "index.docker.io" : reference.registry;
  return `${registry}/${reference.repository}`;
}

export function compileExclusionList(list: readonly string[] | undefined): GoRegexp[] {
  const patterns = list === undefined || list.length === 0 ? defaultExclusionList : list;
  return patterns.map((pattern) => {
    try {
      return compileGoRegexp(pattern);
    } catch (error) {
      const detail = error instanceof GoRegexpError ? error.message : String(error);
      throw new ScanError(
        ScanReason.ReadOperationFailed,
        "invalid-exclusion-list",
        `spec.exclusionList: ${detail}`,
        {
          retryable: false,
          cause: error,
        },
      );
    }
  });
}

function where(reference: ImageReference): string {
  return `${reference.registry}/${reference.repository}`;
}

function timedOut(options: ScanOptions, reference: ImageReference, cause: unknown): ScanError {
  return new ScanError(
    ScanReason.ReadOperationFailed,
    "timeout",
    `scanning ${where(reference)} did not finish within ${options.timeoutMs}ms; ` +
      "the registry is slow or unreachable (spec.timeout sets the limit)",
    { retryable: true, cause },
  );
}

function scanErrorFrom(error: unknown, options: ScanOptions, reference: ImageReference): ScanError {
  if (error instanceof ScanError) return error;
  if (!(error instanceof RegistryError)) {
    return new ScanError(
      ScanReason.ReadOperationFailed,
      "registry-error",
      `scanning ${where(reference)} failed: ${String(error)}`,
      {
        retryable: true,
        cause: error,
      },
    );
  }
  const failure = classify(error);
  const message = `${error.message}${advice(failure, error, options, reference)}`;
  const reason =
    failure === "unauthorized" || failure === "denied"
      ? ScanReason.AuthenticationFailed
      : ScanReason.ReadOperationFailed;
  return new ScanError(reason, failure, message, {
    retryable: true,
    retryAfterMs: error.retryAfterMs,
    cause: error,
  });
}

function classify(error: RegistryError): ScanFailure {
  const codes = new Set(error.codes);
  if (error.reason === "network") return "network";
  if (error.reason === "timeout") return "timeout";
  if (error.reason === "invalid-response") return "invalid-response";
  if (error.status === 401 || codes.has("UNAUTHORIZED")) return "unauthorized";
  if (error.status === 403 || codes.has("DENIED")) return "denied";
  if (error.status === 429 || codes.has("TOOMANYREQUESTS")) return "rate-limited";
  if (error.status === 404 || codes.has("NAME_UNKNOWN")) return "not-found";
  if (error.status !== undefined && error.status >= 500) return "unavailable";
  return "registry-error";
}

/** What the person reading the condition can do, beyond the registry's own hint. */
function advice(
  failure: ScanFailure,
  error: RegistryError,
  options: ScanOptions,
  reference: ImageReference,
): string {
  switch (failure) {
    case "unauthorized":
      return options.credentials
        ? "; update the Secret in spec.secretRef"
        : "; reference a docker-registry Secret in spec.secretRef";
    case "denied":
      return `; give the user access to ${reference.repository}`;
    case "not-found":
      return `${error.hint === undefined ? "; check spec.image" : " (spec.image)"}, or push a first image: the next scan finds it`;
    case "rate-limited":
      return "; the scan is retried after the registry's Retry-After or with backoff";
    case "network":
      return tlsTrouble(error) && !options.insecure
        ? "; if the registry speaks plain HTTP set spec.insecure, if it uses a private CA reference it in spec.certSecretRef"
        : "";
    default:
      return "";
  }
}

function tlsTrouble(error: RegistryError): boolean {
  const cause = error.cause instanceof Error ? error.cause.message : "";
  return /SSL|TLS|EPROTO|certificate/i.test(cause);
}

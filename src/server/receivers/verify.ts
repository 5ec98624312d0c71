/**
 * Verification of incoming webhook calls, one function per Receiver type, as notification-controller
 * does it (plus `gitea` and `distribution`, which are Sluice's own). Every function sees the headers
 * and the raw body bytes exactly as received, so signatures are checked over what was signed. All
 * secret comparisons are constant-time: HMACs are compared as equal-length digests, plain tokens as
 * SHA-256 digests of both sides.
 *
 * Results never carry the token, the body or a header value; `reason` is meant for the log, and the
 * server answers the client with a generic message only.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { z } from "zod";

export const receiverTypes = [
  "generic",
  "generic-hmac",
  "github",
  "gitlab",
  "gitea",
  "bitbucket",
  "harbor",
  "dockerhub",
  "quay",
  "acr",
  "nexus",
  "distribution",
] as const;
export type ReceiverType = (typeof receiverTypes)[number];

export function isReceiverType(type: string): type is ReceiverType {
  return (receiverTypes as readonly string[]).includes(type);
}

export interface WebhookRequest {
  /** Node's lowercased headers. */
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

/** An image a registry notification names (distribution only). */
export interface RegistryImage {
  action: string;
  repository: string;
  tag?: string;
}

export type VerifyResult =
  | {
      ok: true;
      /** The sender's event name (X-GitHub-Event, X-Gitlab-Event, the registry action, ...) when it has one. */
      event?: string;
      /**
       * false: authentic, answered 200, but nothing to do (a GitHub `ping`, a Bitbucket
       * `diagnostics:ping`, a registry envelope with no matching event).
       */
      reconcile: boolean;
      /** distribution: the tagged pushes (or other matching actions) the envelope carried, deduplicated. */
      images?: RegistryImage[];
    }
  | { ok: false; status: 400 | 401; reason: string };

export type Verifier = (req: WebhookRequest, token: string, events?: readonly string[]) => VerifyResult;

const unauthorized = (reason: string): VerifyResult => ({ ok: false, status: 401, reason });
const badRequest = (reason: string): VerifyResult => ({ ok: false, status: 400, reason });
const accepted = (event: string | undefined, reconcile = true): VerifyResult =>
  event === undefined ? { ok: true, reconcile } : { ok: true, event, reconcile };

// ---------------------------------------------------------------------------------------------
// helpers

/** One header's value; duplicates (an array) are refused as absent. */
function header(req: WebhookRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return typeof value === "string" ? value : undefined;
}

/** Constant-time equality of two secrets of any length (compares their SHA-256 digests). */
export function secretEquals(given: string | undefined, expected: string): boolean {
  if (given === undefined || expected === "") return false;
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

const hmacAlgorithms = { sha1: 20, sha256: 32, sha512: 64 } as const;
type HmacAlgorithm = keyof typeof hmacAlgorithms;

/** Constant-time check of a hex HMAC of `body` keyed by `token`. */
export function hmacMatches(algorithm: HmacAlgorithm, hex: string, body: Buffer, token: string): boolean {
  if (token === "" || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== hmacAlgorithms[algorithm] * 2) {
    return false;
  }
  const given = Buffer.from(hex, "hex");
  const expected = createHmac(algorithm, token).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `sha1=<hex>`, `sha256=<hex>` or `sha512=<hex>` (GitHub's ValidateSignature format). */
function prefixedHmacMatches(signature: string | undefined, body: Buffer, token: string): boolean {
  if (signature === undefined) return false;
  const eq = signature.indexOf("=");
  if (eq < 0) return false;
  const algorithm = signature.slice(0, eq).toLowerCase();
  if (!Object.hasOwn(hmacAlgorithms, algorithm)) return false;
  return hmacMatches(algorithm as HmacAlgorithm, signature.slice(eq + 1).trim(), body, token);
}

/** Empty list = every event; otherwise a case-insensitive match. */
export function eventAllowed(event: string | undefined, events: readonly string[] = []): boolean {
  if (events.length === 0) return true;
  if (event === undefined) return false;
  const wanted = event.toLowerCase();
  return events.some((e) => e.toLowerCase() === wanted);
}

function parseJson(bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) };
  } catch {
    return { ok: false };
  }
}

function mediaType(req: WebhookRequest): string {
  return (header(req, "content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * GitHub's ValidatePayload, shared by `github` and `bitbucket` (Bitbucket Server signs the same
 * way): JSON or form-encoded body, X-Hub-Signature-256 preferred over X-Hub-Signature, the HMAC over
 * the raw body; the payload (the body, or the `payload` form field) must be JSON.
 */
function hubSignedJson(
  req: WebhookRequest,
  token: string,
): { ok: true } | { ok: false; result: VerifyResult } {
  const type = mediaType(req);
  let payload: Buffer;
  if (type === "application/json") {
    payload = req.rawBody;
  } else if (type === "application/x-www-form-urlencoded") {
    payload = Buffer.from(new URLSearchParams(req.rawBody.toString("utf8")).get("payload") ?? "", "utf8");
  } else {
    return { ok: false, result: badRequest("unsupported content type") };
  }
  const signature = header(req, "x-hub-signature-256") ?? header(req, "x-hub-signature");
  if (!prefixedHmacMatches(signature, req.rawBody, token)) {
    return { ok: false, result: unauthorized("signature missing or invalid") };
  }
  if (!parseJson(payload).ok) return { ok: false, result: badRequest("payload is not JSON") };
  return { ok: true };
}

function filtered(
  kind: string,
  event: string | undefined,
  events: readonly string[] | undefined,
): VerifyResult {
  return eventAllowed(event, events)
    ? accepted(event)
    : badRequest(`${kind} event not accepted by this receiver`);
}

// ---------------------------------------------------------------------------------------------
// one verifier per type

/** `generic`: knowing the path is the authentication. */
export const verifyGeneric: Verifier = () => accepted(undefined);

/** `generic-hmac`: X-Signature `sha1=`/`sha256=`/`sha512=` HMAC of the raw body. */
export const verifyGenericHmac: Verifier = (req, token) =>
  prefixedHmacMatches(header(req, "x-signature"), req.rawBody, token)
    ? accepted(undefined)
    : unauthorized("signature missing or invalid");

/** `github`: X-Hub-Signature-256 (or X-Hub-Signature), X-GitHub-Event filtered; `ping` is answered only. */
export const verifyGitHub: Verifier = (req, token, events) => {
  const checked = hubSignedJson(req, token);
  if (!checked.ok) return checked.result;
  const event = header(req, "x-github-event");
  if (event?.toLowerCase() === "ping") return accepted(event, false);
  return filtered("GitHub", event, events);
};

/** `gitlab`: X-Gitlab-Token equals the token; X-Gitlab-Event (e.g. `Push Hook`) filtered. */
export const verifyGitLab: Verifier = (req, token, events) => {
  if (!secretEquals(header(req, "x-gitlab-token"), token)) return unauthorized("token missing or invalid");
  return filtered("GitLab", header(req, "x-gitlab-event"), events);
};

/** `gitea`: X-Gitea-Signature is the bare hex HMAC-SHA256 of the raw body; X-Gitea-Event filtered. */
export const verifyGitea: Verifier = (req, token, events) => {
  const signature = header(req, "x-gitea-signature")?.trim();
  if (signature === undefined || !hmacMatches("sha256", signature, req.rawBody, token)) {
    return unauthorized("signature missing or invalid");
  }
  if (!parseJson(req.rawBody).ok) return badRequest("payload is not JSON");
  return filtered("Gitea", header(req, "x-gitea-event"), events);
};

/** `bitbucket` (Bitbucket Server / Data Center): X-Hub-Signature `sha256=`; X-Event-Key filtered. */
export const verifyBitbucket: Verifier = (req, token, events) => {
  const checked = hubSignedJson(req, token);
  if (!checked.ok) return checked.result;
  const event = header(req, "x-event-key");
  if (event?.toLowerCase() === "diagnostics:ping") return accepted(event, false);
  return filtered("Bitbucket", event, events);
};

/** `harbor`: the Authorization header is the token, verbatim (Harbor's "auth header" setting). */
export const verifyHarbor: Verifier = (req, token) =>
  secretEquals(header(req, "authorization"), token)
    ? accepted(undefined)
    : unauthorized("token missing or invalid");

const dockerHubPayload = z.looseObject({
  push_data: z.looseObject({ tag: z.string().optional() }).optional(),
  repository: z.looseObject({ repo_url: z.string().optional() }).optional(),
});

/** `dockerhub`: no signature (the path is the secret); the body must be DockerHub's JSON callback. */
export const verifyDockerHub: Verifier = (req) => jsonShaped(req, dockerHubPayload);

const quayPayload = z.looseObject({
  docker_url: z.string().optional(),
  updated_tags: z.array(z.string()).optional(),
});

/** `quay`: no signature; the body must be Quay's repository push JSON. */
export const verifyQuay: Verifier = (req) => jsonShaped(req, quayPayload);

const acrPayload = z.looseObject({
  action: z.string().optional(),
  target: z.looseObject({ repository: z.string().optional(), tag: z.string().optional() }).optional(),
});

/** `acr`: no signature; the body must be an Azure Container Registry event. */
export const verifyAcr: Verifier = (req) => jsonShaped(req, acrPayload);

/** `nexus`: X-Nexus-Webhook-Signature is the hex HMAC-SHA1 of the raw body; the body must be JSON. */
export const verifyNexus: Verifier = (req, token) => {
  const signature = header(req, "x-nexus-webhook-signature")?.trim();
  if (signature === undefined || !hmacMatches("sha1", signature, req.rawBody, token)) {
    return unauthorized("signature missing or invalid");
  }
  return jsonShaped(req, z.looseObject({ repositoryName: z.string().optional() }));
};

function jsonShaped(req: WebhookRequest, schema: z.ZodType): VerifyResult {
  const parsed = parseJson(req.rawBody);
  if (!parsed.ok) return badRequest("payload is not JSON");
  return schema.safeParse(parsed.value).success ? accepted(undefined) : badRequest("unexpected payload");
}

const distributionEnvelope = z.object({
  events: z.array(
    z.looseObject({
      action: z.string(),
      target: z
        .looseObject({
          repository: z.string().optional(),
          tag: z.string().optional(),
          mediaType: z.string().optional(),
        })
        .optional(),
    }),
  ),
});

/**
 * `distribution` (Sluice's own): the CNCF Distribution registry's notification envelope
 * (`application/vnd.docker.distribution.events.v1+json`), authenticated by `Authorization: Bearer
 * <token>` set in the registry's endpoint headers. An event counts when its action is in `events`
 * (default `push`: pulls made while scanning would otherwise trigger scans) and, for pushes, when
 * it names a tag (blob pushes and by-digest manifest pushes precede the tagged one). An envelope
 * with nothing that counts is still answered 200, so the registry does not retry it.
 */
export const verifyDistribution: Verifier = (req, token, events = []) => {
  const auth = header(req, "authorization");
  const match = auth === undefined ? null : /^Bearer\s+(.+)$/i.exec(auth.trim());
  if (!secretEquals(match?.[1], token)) return unauthorized("token missing or invalid");
  const parsed = parseJson(req.rawBody);
  if (!parsed.ok) return badRequest("payload is not JSON");
  const envelope = distributionEnvelope.safeParse(parsed.value);
  if (!envelope.success) return badRequest("unexpected payload");
  const wanted = events.length > 0 ? events : ["push"];
  const images = new Map<string, RegistryImage>();
  for (const e of envelope.data.events) {
    const repository = e.target?.repository;
    const tag = e.target?.tag || undefined;
    if (!eventAllowed(e.action, wanted) || repository === undefined) continue;
    if (e.action.toLowerCase() === "push" && tag === undefined) continue;
    const image: RegistryImage =
      tag === undefined ? { action: e.action, repository } : { action: e.action, repository, tag };
    images.set(`${e.action}\0${repository}\0${tag ?? ""}`, image);
  }
  if (images.size === 0) return { ok: true, reconcile: false };
  const first = images.values().next().value;
  return { ok: true, event: first?.action ?? "push", reconcile: true, images: [...images.values()] };
};

export const verifiers: Record<ReceiverType, Verifier> = {
  generic: verifyGeneric,
  "generic-hmac": verifyGenericHmac,
  github: verifyGitHub,
  gitlab: verifyGitLab,
  gitea: verifyGitea,
  bitbucket: verifyBitbucket,
  harbor: verifyHarbor,
  dockerhub: verifyDockerHub,
  quay: verifyQuay,
  acr: verifyAcr,
  nexus: verifyNexus,
  distribution: verifyDistribution,
};

/** Verifies a call for a Receiver of `type`; an unsupported type is a 400. */
export function verifyWebhook(
  type: string,
  req: WebhookRequest,
  token: string,
  events: readonly string[] = [],
): VerifyResult {
  if (!isReceiverType(type)) return badRequest("unsupported receiver type");
  return verifiers[type](req, token, events);
}

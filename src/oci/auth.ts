import { z } from "zod";
import { RegistryError } from "./errors.ts";
import { headerValues, type HttpResponse, type Transport } from "./transport.ts";
import { parseWwwAuthenticate, type AuthChallenge } from "./www-authenticate.ts";

export interface Credentials {
  username: string;
  password: string;
}

/** The token endpoint's answer (Docker token auth spec): `token` or the OAuth2 `access_token`. */
export const TokenResponse = z
  .object({
    token: z.string().min(1).optional(),
    access_token: z.string().min(1).optional(),
    expires_in: z.number().positive().optional(),
  })
  .refine((body) => body.token !== undefined || body.access_token !== undefined, {
    message: "neither token nor access_token present",
  });
export type TokenResponse = z.infer<typeof TokenResponse>;

/** The spec's default lifetime when the token endpoint does not say. */
const defaultTokenLifetimeSeconds = 60;

interface CachedToken {
  value: string;
  expiresAt: number;
}

export interface RegistryAuthOptions {
  registry: string;
  transport: Transport;
  credentials: Credentials | undefined;
  /** Allow fetching tokens from a plain-http realm (local registries only). */
  insecure: boolean;
}

/**
 * Decides the Authorization header of each request. It learns the registry's scheme from the first
 * 401 and then authenticates up front: Basic with the credentials, or a Bearer token per scope,
 * fetched from the challenge's realm and cached until shortly before it expires.
 */
export class RegistryAuth {
  readonly #options: RegistryAuthOptions;
  #challenge: AuthChallenge | undefined;
  readonly #tokens = new Map<string, CachedToken>();

  constructor(options: RegistryAuthOptions) {
    this.#options = options;
  }

  get username(): string | undefined {
    return this.#options.credentials?.username;
  }

  async authorization(scope: string | undefined, signal?: AbortSignal): Promise<string | undefined> {
    if (this.#challenge?.scheme === "basic") return this.#basicAuthorization();
    if (this.#challenge?.scheme !== "bearer") return undefined;
    const token = await this.#bearerToken(this.#challenge, scope, signal);
    return `Bearer ${token}`;
  }

  /**
   * Learns from a 401 answer. True when a retry would carry a different Authorization than `sent`,
   * so trying again can help; false when the registry refused what we have.
   */
  async onUnauthorized(
    response: HttpResponse,
    scope: string | undefined,
    sent: string | undefined,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const challenges = parseWwwAuthenticate(headerValues(response.headers, "www-authenticate"));
    const challenge =
      challenges.find((c) => c.scheme === "bearer") ?? challenges.find((c) => c.scheme === "basic");
    if (!challenge) return false;
    this.#challenge = challenge;
    this.#tokens.delete(scope ?? "");
    const next = await this.authorization(scope, signal);
    return next !== undefined && next !== sent;
  }

  #basicAuthorization(): string | undefined {
    const credentials = this.#options.credentials;
    if (!credentials) return undefined;
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
  }

  async #bearerToken(
    challenge: AuthChallenge,
    scope: string | undefined,
    signal?: AbortSignal,
  ): Promise<string> {
    const key = scope ?? "";
    const cached = this.#tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    const fetched = await this.#fetchToken(challenge, scope, signal);
    this.#tokens.set(key, fetched);
    return fetched.value;
  }

  async #fetchToken(
    challenge: AuthChallenge,
    scope: string | undefined,
    signal?: AbortSignal,
  ): Promise<CachedToken> {
    const operation = "fetching an access token";
    const url = this.#realmUrl(challenge, scope, operation);
    const basic = this.#basicAuthorization();
    const headers: Record<string, string> = {
      accept: "application/json",
      ...(basic ? { authorization: basic } : {}),
    };
    const response = await this.#options.transport.send({ method: "GET", url, headers, signal }, operation);
    if (response.status !== 200) throw this.#tokenRefused(response, operation);
    return this.#parseToken(response, operation);
  }

  #realmUrl(challenge: AuthChallenge, scope: string | undefined, operation: string): URL {
    const realm = challenge.params["realm"];
    let url: URL;
    try {
      url = new URL(realm ?? "");
    } catch {
      throw this.#invalid(
        operation,
        `the Bearer challenge has no usable realm URL (${JSON.stringify(realm)})`,
      );
    }
    const allowed = url.protocol === "https:" || (this.#options.insecure && url.protocol === "http:");
    if (!allowed) throw this.#invalid(operation, `refusing to send credentials to token realm ${url.origin}`);
    const service = challenge.params["service"];
    if (service !== undefined) url.searchParams.set("service", service);
    const effectiveScope = scope ?? challenge.params["scope"];
    if (effectiveScope !== undefined) url.searchParams.set("scope", effectiveScope);
    return url;
  }

  #parseToken(response: HttpResponse, operation: string): CachedToken {
    let parsed: TokenResponse;
    try {
      parsed = TokenResponse.parse(JSON.parse(response.body.toString("utf8")));
    } catch {
      throw this.#invalid(operation, "the token endpoint answered without a token");
    }
    const value = parsed.token ?? parsed.access_token ?? "";
    const lifetimeMs = (parsed.expires_in ?? defaultTokenLifetimeSeconds) * 1000;
    // Renew a little early so a token never expires between being chosen and being checked.
    return { value, expiresAt: Date.now() + lifetimeMs * 0.9 };
  }

  #tokenRefused(response: HttpResponse, operation: string): RegistryError {
    const refused = response.status === 401 || response.status === 403;
    return new RegistryError({
      registry: this.#options.registry,
      operation,
      reason: "http",
      status: response.status,
      errors: refused ? [{ code: "UNAUTHORIZED", message: "token endpoint refused the credentials" }] : [],
      ...(refused ? { hint: unauthorizedHint(this.username) } : {}),
    });
  }

  #invalid(operation: string, problem: string): RegistryError {
    return new RegistryError({
      registry: this.#options.registry,
      operation,
      reason: "invalid-response",
      cause: new Error(problem),
    });
  }
}

export function unauthorizedHint(username: string | undefined): string {
  return username === undefined
    ? "the registry requires credentials and none were given"
    : `the registry rejected the credentials of user "${username}"; check the username and password`;
}

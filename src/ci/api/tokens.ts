/**
 * Bearer tokens the server signs itself: `base64url(claims).base64url(HMAC-SHA256(key, claims))`.
 * The key is the caller's (ci-http keeps one under the data dir so restarts keep logins).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface Identity {
  /** `local:NAME` or `system:serviceaccount:NS:NAME` */
  user: string;
  teams: string[];
  /** Of `teams`, those it may only look at (a viewer there, not an owner). */
  viewerOf?: string[];
  /** members of `main` are Concourse admins: every team is theirs */
  admin: boolean;
}

interface Claims extends Identity {
  /** expiry, epoch seconds */
  exp: number;
}

export class TokenSigner {
  readonly #key: Buffer;
  readonly #lifetimeSeconds: number;
  readonly #now: () => number;

  constructor(key: Buffer, options: { lifetimeSeconds?: number; now?: () => number } = {}) {
    if (key.length < 32) throw new Error("the token key must have at least 32 bytes");
    this.#key = key;
    this.#lifetimeSeconds = options.lifetimeSeconds ?? 24 * 3600;
    this.#now = options.now ?? Date.now;
  }

  get lifetimeSeconds(): number {
    return this.#lifetimeSeconds;
  }

  sign(identity: Identity): string {
    const claims: Claims = { ...identity, exp: Math.floor(this.#now() / 1000) + this.#lifetimeSeconds };
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    return `${payload}.${this.#mac(payload)}`;
  }

  /** The identity of a token this server signed and that has not expired; undefined otherwise. */
  verify(token: string): Identity | undefined {
    const [payload, mac, extra] = token.split(".");
    if (!payload || !mac || extra !== undefined) return undefined;
    const expected = Buffer.from(this.#mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Claims;
    if (claims.exp * 1000 <= this.#now()) return undefined;
    return {
      user: claims.user,
      teams: claims.teams,
      admin: claims.admin,
      ...(claims.viewerOf?.length && { viewerOf: claims.viewerOf }),
    };
  }

  #mac(payload: string): string {
    return createHmac("sha256", this.#key).update(payload).digest("base64url");
  }
}

/**
 * Who a request is: a bearer token this server signed, else a Kubernetes ServiceAccount token.
 * 401 without a valid token, 403 for a team the identity is not in.
 */
import type { IncomingMessage } from "node:http";
import { ApiError } from "./errors.ts";
import type { LocalUsers } from "./local-users.ts";
import type { TokenReviewer } from "./service-accounts.ts";
import type { Identity, TokenSigner } from "./tokens.ts";

export const MAIN_TEAM = "main";

export interface AuthOptions {
  signer: TokenSigner;
  users: LocalUsers;
  reviewServiceAccount?: TokenReviewer | undefined;
}

export class Auth {
  readonly #options: AuthOptions;

  constructor(options: AuthOptions) {
    this.#options = options;
  }

  get tokenLifetimeSeconds(): number {
    return this.#options.signer.lifetimeSeconds;
  }

  /** A token for a local user, undefined when the name or password is wrong. */
  login(name: string, password: string): string | undefined {
    if (!this.#options.users.check(name, password)) return undefined;
    return this.#options.signer.sign({ user: `local:${name}`, teams: [MAIN_TEAM], admin: true });
  }

  async identify(req: IncomingMessage): Promise<Identity> {
    const header = req.headers.authorization ?? "";
    const match = /^bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(401, "not authorized: no bearer token");
    const token = match[1]!;
    const identity =
      this.#options.signer.verify(token) ?? (await this.#options.reviewServiceAccount?.(token));
    if (!identity) throw new ApiError(401, "not authorized: the token is invalid or expired");
    return identity;
  }

  /** The identity, when it may act on `team`. */
  async authorize(req: IncomingMessage, team: string): Promise<Identity> {
    const identity = await this.identify(req);
    if (!identity.admin && !identity.teams.includes(team))
      throw new ApiError(403, `forbidden: ${identity.user} is not a member of team ${team}`);
    return identity;
  }
}

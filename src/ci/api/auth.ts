/**
 * Who a request is: a bearer token this server signed, else a Kubernetes ServiceAccount token.
 * 401 without a valid token, 403 for a team the identity is not in.
 */
import type { IncomingMessage } from "node:http";
import type { CiStore } from "../store/index.ts";
import { ApiError } from "./errors.ts";
import type { LocalUsers } from "./local-users.ts";
import type { TokenReviewer } from "./service-accounts.ts";
import type { Identity, TokenSigner } from "./tokens.ts";

export const MAIN_TEAM = "main";

/** The teams whose set-team lists the user, from the store. */
export const storedMemberships =
  (store: Pick<CiStore, "listTeams">) =>
  async (user: string): Promise<string[]> =>
    (await store.listTeams()).filter((t) => t.members.includes(user)).map((t) => t.name);

export interface AuthOptions {
  signer: TokenSigner;
  users: LocalUsers;
  reviewServiceAccount?: TokenReviewer | undefined;
  /** The teams whose set-team lists the user (`local:NAME`, `system:serviceaccount:NS:NAME`). */
  memberships?: ((user: string) => Promise<string[]>) | undefined;
}

export class Auth {
  readonly #options: AuthOptions;

  constructor(options: AuthOptions) {
    this.#options = options;
  }

  /** Whether some local user is in main by flag (main then keeps an admin whatever set-team says). */
  hasMainTeamLocalUsers(): boolean {
    return this.#options.users.hasMainMembers();
  }

  get tokenLifetimeSeconds(): number {
    return this.#options.signer.lifetimeSeconds;
  }

  /**
   * A token for a local user, undefined when the name or password is wrong; a user of no team
   * is refused (403). Its teams are those of the moment: a set-team applies at the next login.
   */
  async login(name: string, password: string): Promise<string | undefined> {
    if (!this.#options.users.check(name, password)) return undefined;
    const user = `local:${name}`;
    const teams = new Set(await this.#memberships(user));
    if (this.#options.users.isMainMember(name)) teams.add(MAIN_TEAM);
    if (teams.size === 0) throw new ApiError(403, `${name} is a member of no team: ask an admin to set-team`);
    return this.#options.signer.sign({ user, teams: [...teams].sort(), admin: teams.has(MAIN_TEAM) });
  }

  async identify(req: IncomingMessage): Promise<Identity> {
    const header = req.headers.authorization ?? "";
    const match = /^bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(401, "not authorized: no bearer token");
    const token = match[1]!;
    const signed = this.#options.signer.verify(token);
    if (signed) return signed;
    const account = await this.#options.reviewServiceAccount?.(token);
    if (!account) throw new ApiError(401, "not authorized: the token is invalid or expired");
    const teams = [...new Set([...account.teams, ...(await this.#memberships(account.user))])].sort();
    return { ...account, teams, admin: teams.includes(MAIN_TEAM) };
  }

  #memberships(user: string): Promise<string[]> {
    return this.#options.memberships?.(user) ?? Promise.resolve([]);
  }

  /** The identity, when it may act on `team`. */
  async authorize(req: IncomingMessage, team: string): Promise<Identity> {
    const identity = await this.identify(req);
    if (!identity.admin && !identity.teams.includes(team))
      throw new ApiError(403, `forbidden: ${identity.user} is not a member of team ${team}`);
    return identity;
  }
}

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

/** Where set-team lists a user: as an owner, or as a viewer only. */
export interface Memberships {
  owner: string[];
  viewer: string[];
}

/** The teams whose set-team lists the user, from the store. */
export const storedMemberships =
  (store: Pick<CiStore, "listTeams">) =>
  async (user: string): Promise<Memberships> => {
    const teams = await store.listTeams();
    const owner = teams.filter((t) => t.members.includes(user)).map((t) => t.name);
    const viewer = teams
      .filter((t) => t.viewers.includes(user) && !owner.includes(t.name))
      .map((t) => t.name);
    return { owner, viewer };
  };

const readOnlyMethods = new Set(["GET", "HEAD"]);

export interface AuthOptions {
  signer: TokenSigner;
  users: LocalUsers;
  reviewServiceAccount?: TokenReviewer | undefined;
  /** The teams whose set-team lists the user (`local:NAME`, `system:serviceaccount:NS:NAME`). */
  memberships?: ((user: string) => Promise<Memberships>) | undefined;
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
    const identity = this.#withMemberships(
      { user, teams: this.#options.users.isMainMember(name) ? [MAIN_TEAM] : [], admin: false },
      await this.#memberships(user),
    );
    if (identity.teams.length === 0)
      throw new ApiError(403, `${name} is a member of no team: ask an admin to set-team`);
    return this.#options.signer.sign(identity);
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
    return this.#withMemberships(account, await this.#memberships(account.user));
  }

  /** Adds set-team's teams; owning main makes an admin (viewing main does not). */
  #withMemberships(base: Identity, memberships: Memberships): Identity {
    const owned = new Set([...base.teams, ...memberships.owner]);
    const viewerOf = memberships.viewer.filter((team) => !owned.has(team));
    const teams = [...new Set([...owned, ...viewerOf])].sort();
    return { user: base.user, teams, admin: owned.has(MAIN_TEAM), ...(viewerOf.length > 0 && { viewerOf }) };
  }

  #memberships(user: string): Promise<Memberships> {
    return this.#options.memberships?.(user) ?? Promise.resolve({ owner: [], viewer: [] });
  }

  /**
   * The identity, when it may act on `team`: look (GET, HEAD), or change anything else, which a
   * viewer of the team may not (`access` overrides what the method says: intercept is a GET).
   */
  async authorize(
    req: IncomingMessage,
    team: string,
    access: "read" | "write" = readOnlyMethods.has(req.method ?? "") ? "read" : "write",
  ): Promise<Identity> {
    const identity = await this.identify(req);
    if (!identity.admin && !identity.teams.includes(team))
      throw new ApiError(403, `forbidden: ${identity.user} is not a member of team ${team}`);
    if (access === "write" && !identity.admin && identity.viewerOf?.includes(team))
      throw new ApiError(
        403,
        `forbidden: ${identity.user} is a viewer of team ${team}: it may look, not change`,
      );
    return identity;
  }
}

/**
 * Users from `--add-local-user NAME:PASSWORD`. They are members of team `main` (admins) unless
 * `--main-team-local-user` names who is, as in Concourse; the others belong to the teams whose
 * set-team lists them. Passwords are kept only as scrypt hashes and compared in constant time.
 */
import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";

export interface LocalUser {
  name: string;
  password: string;
}

/** `NAME:PASSWORD` as the flag takes it; the password may contain colons. */
export function parseLocalUser(flag: string): LocalUser {
  const colon = flag.indexOf(":");
  if (colon <= 0 || colon === flag.length - 1)
    throw new Error("--add-local-user takes NAME:PASSWORD, both non-empty");
  return { name: flag.slice(0, colon), password: flag.slice(colon + 1) };
}

export class LocalUsers {
  readonly #salt = randomBytes(16);
  readonly #hashes = new Map<string, Buffer>();
  readonly #mainTeam: ReadonlySet<string> | undefined;

  /** `mainTeam` undefined: every user is a member of main. */
  constructor(users: readonly LocalUser[], mainTeam?: readonly string[]) {
    for (const user of users) this.#hashes.set(user.name, this.#hash(user.password));
    this.#mainTeam = mainTeam && new Set(mainTeam);
  }

  hasMainMembers(): boolean {
    return [...this.#hashes.keys()].some((name) => this.isMainMember(name));
  }

  isMainMember(name: string): boolean {
    return this.#hashes.has(name) && (this.#mainTeam?.has(name) ?? true);
  }

  /** Whether the name and password match a local user. */
  check(name: string, password: string): boolean {
    const expected = this.#hashes.get(name);
    // hash anyway so that an unknown name takes as long as a wrong password
    const given = this.#hash(password);
    return expected !== undefined && timingSafeEqual(given, expected);
  }

  #hash(password: string): Buffer {
    return scryptSync(password, this.#salt, 32);
  }
}

/**
 * Users from `--add-local-user NAME:PASSWORD`, members of team `main` as in Concourse. Passwords
 * are kept only as scrypt hashes and compared in constant time.
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

  constructor(users: readonly LocalUser[]) {
    for (const user of users) this.#hashes.set(user.name, this.#hash(user.password));
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

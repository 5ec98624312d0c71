export interface AuthChallenge {
  /** Lower-cased: "basic", "bearer". */
  scheme: string;
  /** Parameter names lower-cased: realm, service, scope, error. */
  params: Record<string, string>;
}

/**
 * Parses `WWW-Authenticate` values (RFC 7235): one or more challenges, each a scheme followed by
 * comma-separated `name=value` or `name="quoted value"` parameters.
 */
export function parseWwwAuthenticate(values: readonly string[]): AuthChallenge[] {
  return values.flatMap((value) => parseOneHeader(value));
}

function parseOneHeader(value: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  const scanner = new Scanner(value);
  while (!scanner.done()) {
    scanner.skip(/[\s,]*/y);
    const name = scanner.take(/[!#$%&'*+.^_`|~0-9A-Za-z-]+/y);
    if (name === undefined) break;
    scanner.skip(/\s*/y);
    if (scanner.peek() === "=" && challenges.length > 0) {
      scanner.skip(/=\s*/y);
      const last = challenges[challenges.length - 1];
      if (last) last.params[name.toLowerCase()] = scanner.quotedOrToken();
    } else {
      challenges.push({ scheme: name.toLowerCase(), params: {} });
      scanner.skip(/[A-Za-z0-9._~+/-]+=*(?=\s*(,|$))/y); // token68 form, unused by registries
    }
  }
  return challenges;
}

class Scanner {
  #position = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  done(): boolean {
    return this.#position >= this.#text.length;
  }

  peek(): string | undefined {
    return this.#text[this.#position];
  }

  take(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.#position;
    const match = pattern.exec(this.#text);
    if (!match || match[0] === "") return undefined;
    this.#position += match[0].length;
    return match[0];
  }

  skip(pattern: RegExp): void {
    this.take(pattern);
  }

  quotedOrToken(): string {
    if (this.peek() !== '"') return this.take(/[^,\s]*/y) ?? "";
    let result = "";
    this.#position++;
    while (!this.done() && this.peek() !== '"') {
      if (this.peek() === "\\") this.#position++;
      result += this.#text[this.#position] ?? "";
      this.#position++;
    }
    this.#position++;
    return result;
  }
}

/**
 * Coalesces `git ls-remote` calls: callers asking for the same remote and credentials while a
 * call is in flight, or within `ttlMs` after it answered, share its answer. Hundreds of objects
 * pointing at one repository then cost one round trip per interval instead of hundreds.
 */
export class RemoteRefsCache {
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { at: number; refs: Promise<Map<string, string>> }>();
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    // periodic reconciles may see a remote up to this old; explicit requests (webhooks) never do
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** `fresh` skips answers that were already complete (an explicit reconcile request wants the remote's state now). */
  async get(
    key: string,
    fresh: boolean,
    list: () => Promise<Map<string, string>>,
  ): Promise<Map<string, string>> {
    const now = this.#now();
    this.#expire(now);
    const cached = this.#entries.get(key);
    if (cached && (!fresh || cached.at === Infinity)) return cached.refs;
    const entry = { at: Infinity, refs: list() };
    this.#entries.set(key, entry);
    try {
      const refs = await entry.refs;
      entry.at = this.#now();
      return refs;
    } catch (err) {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
      throw err;
    }
  }

  #expire(now: number): void {
    for (const [key, entry] of this.#entries) if (now - entry.at > this.#ttlMs) this.#entries.delete(key);
  }
}

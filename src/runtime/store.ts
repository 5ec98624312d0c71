/** Objects keyed by string with secondary indexes (index name → value → keys). */
export class IndexedStore<T> {
  readonly #items = new Map<string, T>();
  readonly #indexers = new Map<string, (obj: T) => string[]>();
  readonly #indices = new Map<string, Map<string, Set<string>>>();

  get size(): number {
    return this.#items.size;
  }

  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  has(key: string): boolean {
    return this.#items.has(key);
  }

  keys(): string[] {
    return [...this.#items.keys()];
  }

  values(): T[] {
    return [...this.#items.values()];
  }

  entries(): [string, T][] {
    return [...this.#items.entries()];
  }

  set(key: string, obj: T): void {
    const old = this.#items.get(key);
    if (old !== undefined) this.#unindex(key, old);
    this.#items.set(key, obj);
    this.#index(key, obj);
  }

  delete(key: string): T | undefined {
    const old = this.#items.get(key);
    if (old === undefined) return undefined;
    this.#unindex(key, old);
    this.#items.delete(key);
    return old;
  }

  /** Adds an index, computed for the objects already stored and kept current afterwards. */
  addIndex(name: string, fn: (obj: T) => string[]): void {
    if (this.#indexers.has(name)) throw new Error(`index "${name}" already exists`);
    this.#indexers.set(name, fn);
    this.#indices.set(name, new Map());
    for (const [key, obj] of this.#items) this.#indexOne(name, fn, key, obj);
  }

  /** Keys of the objects whose index `name` yields `value`. */
  keysByIndex(name: string, value: string): string[] {
    const index = this.#indices.get(name);
    if (!index) throw new Error(`no index named "${name}"`);
    return [...(index.get(value) ?? [])];
  }

  byIndex(name: string, value: string): T[] {
    return this.keysByIndex(name, value).map((k) => this.#items.get(k)!);
  }

  #index(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) this.#indexOne(name, fn, key, obj);
  }

  #indexOne(name: string, fn: (obj: T) => string[], key: string, obj: T): void {
    const index = this.#indices.get(name)!;
    for (const value of new Set(fn(obj))) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  #unindex(key: string, obj: T): void {
    for (const [name, fn] of this.#indexers) {
      const index = this.#indices.get(name)!;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}

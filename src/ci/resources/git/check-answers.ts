/**
 * Answers of checks, shared by identical checks: the same source and version against the same
 * remote state get the same versions, so 100 pipelines watching one repository compute one answer
 * (in flight or recent) instead of walking the mirror 100 times.
 */
import { createHash } from "node:crypto";
import type { ResourceConfig, Version } from "../resource.ts";

export class CheckAnswers {
  readonly #entries = new Map<string, Promise<Version[]>>();
  readonly #capacity: number;

  constructor(capacity = 1_000) {
    this.#capacity = capacity;
  }

  async get(
    source: ResourceConfig,
    fromVersion: Version | undefined,
    remoteFingerprint: string,
    compute: () => Promise<Version[]>,
  ): Promise<Version[]> {
    // hashed: the source holds credentials
    const key = createHash("sha256")
      .update(JSON.stringify([source, fromVersion ?? null, remoteFingerprint]))
      .digest("hex");
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = compute();
      this.#remember(key, entry);
    }
    return (await entry).map((version) => ({ ...version }));
  }

  #remember(key: string, entry: Promise<Version[]>): void {
    this.#entries.set(key, entry);
    entry.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}

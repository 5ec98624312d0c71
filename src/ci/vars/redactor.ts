/**
 * Collects the values vars resolved to, so build output can be scrubbed before it is stored or
 * shown. As Concourse does: every string in a value counts, line by line, trimmed; a one-character
 * line is not treated as a secret; each occurrence becomes `((redacted))`.
 */
import type { VarSource } from "./source.ts";

export const redactedText = "((redacted))";

export class Redactor {
  readonly #secrets = new Set<string>();
  /** Longest first, so a secret containing another is replaced whole. */
  #ordered: string[] | undefined;

  record(value: unknown): void {
    if (typeof value === "string") {
      for (const line of value.split("\n")) {
        const trimmed = line.trim();
        if (trimmed.length > 1 && !this.#secrets.has(trimmed)) {
          this.#secrets.add(trimmed);
          this.#ordered = undefined;
        }
      }
    } else if (typeof value === "object" && value !== null) {
      for (const item of Object.values(value)) this.record(item);
    }
  }

  redact(text: string): string {
    this.#ordered ??= [...this.#secrets].sort((a, b) => b.length - a.length);
    return this.#ordered.reduce((out, secret) => out.replaceAll(secret, redactedText), text);
  }
}

/** `source`, recording every value it resolves into `redactor`. */
export function redactingSource(source: VarSource, redactor: Redactor): VarSource {
  return {
    async lookup(ref) {
      const value = await source.lookup(ref);
      redactor.record(value);
      return value;
    },
    lookedIn: (ref) => source.lookedIn(ref),
  };
}

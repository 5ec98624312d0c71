/**
 * Bounds on the work one user-written YAML text may cause: its size before parsing, and how far
 * its aliases may expand (a "billion laughs" document of nested anchors grows exponentially when
 * turned into data). Exceeding a bound is a YamlLimitError naming the limit and how to raise it.
 *
 * The server's environment may raise a bound: SLUICE_YAML_MAX_BYTES, SLUICE_YAML_MAX_ALIASES.
 */
import type { Document } from "yaml";

export type YamlLimit = "size" | "aliases";

const environmentVariable: Record<YamlLimit, string> = {
  size: "SLUICE_YAML_MAX_BYTES",
  aliases: "SLUICE_YAML_MAX_ALIASES",
};

const defaults: Record<YamlLimit, number> = { size: 16 * 1024 * 1024, aliases: 1000 };

export class YamlLimitError extends Error {
  readonly limit: YamlLimit;
  readonly bound: number;

  constructor(limit: YamlLimit, bound: number, what: string) {
    const raise = `raise it with ${environmentVariable[limit]} on the server`;
    super(
      limit === "size"
        ? `${what} is larger than the YAML size limit of ${bound} bytes; ${raise}`
        : `${what} expands more than the YAML alias limit of ${bound} allows (an alias bomb?); ${raise}`,
    );
    this.name = "YamlLimitError";
    this.limit = limit;
    this.bound = bound;
  }
}

/** The bound in force: the environment's positive integer if it sets one, else the default. */
export function yamlBound(limit: YamlLimit, env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env[environmentVariable[limit]]);
  return Number.isSafeInteger(value) && value > 0 ? value : defaults[limit];
}

/** Throws YamlLimitError when `text` is over the size bound; `what` names it ("file kustomization.yaml"). */
export function checkYamlSize(text: string, what: string): void {
  const bound = yamlBound("size");
  // UTF-16 length never exceeds the UTF-8 length by more than the factor 3, so the cheap check comes first.
  if (text.length <= bound / 3) return;
  if (Buffer.byteLength(text, "utf8") > bound) throw new YamlLimitError("size", bound, what);
}

/** The document's data, with alias expansion bounded; throws YamlLimitError past the bound. */
export function boundedToJS(document: Document, what: string): unknown {
  const bound = yamlBound("aliases");
  try {
    return document.toJS({ maxAliasCount: bound });
  } catch (error) {
    if (error instanceof ReferenceError && /excessive alias count/i.test(error.message))
      throw new YamlLimitError("aliases", bound, what);
    throw error;
  }
}

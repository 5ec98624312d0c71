import YAML from "yaml";
import type { Tags } from "yaml";
import { boundedToJS, checkYamlSize, YamlLimitError } from "../common/yaml-bounds.ts";
import { KustomizeError } from "./errors.ts";

/**
 * YAML as Kubernetes tooling reads it: 1.1 scalars (`0644` is octal, `on` and `yes` are booleans),
 * as kustomize's output and Flux's post-build re-parse assume. Timestamps, sexagesimal numbers and
 * the 1.1 collection types stay plain strings and maps, as they do for Go's YAML decoders.
 * Parsing and printing with the same options makes printing then parsing return equal data.
 */
const unsupportedTagNames = new Set(["binary", "omap", "pairs", "set", "timestamp", "intTime", "floatTime"]);
const unsupportedTags = new Set([
  "tag:yaml.org,2002:binary",
  "tag:yaml.org,2002:omap",
  "tag:yaml.org,2002:pairs",
  "tag:yaml.org,2002:set",
  "tag:yaml.org,2002:timestamp",
]);

function kubernetesTags(tags: Tags): Tags {
  return tags.filter((tag) =>
    typeof tag === "string"
      ? !unsupportedTagNames.has(tag)
      : !unsupportedTags.has(tag.tag) && !("format" in tag && tag.format === "TIME"),
  );
}

// prettyErrors off: error messages must not quote the document, which may hold secret values.
const options = { version: "1.1", customTags: kubernetesTags, prettyErrors: false } as const;

/**
 * The documents of a YAML text; `what` names it in a bound's error ("file deploy.yaml"). Turn each
 * into data with `yamlData`, which bounds alias expansion.
 */
export function parseYamlDocuments(text: string, what = "a YAML text"): YAML.Document.Parsed[] {
  bounded(() => checkYamlSize(text, what));
  return YAML.parseAllDocuments(text, options) as YAML.Document.Parsed[];
}

/** A document's data; throws a KustomizeError naming the bound when its aliases expand too far. */
export function yamlData(document: YAML.Document, what = "a YAML document"): unknown {
  return bounded(() => boundedToJS(document, what));
}

/** One document; throws YAML's error (without a source excerpt) when the text is not valid YAML. */
export function parseYaml(text: string, what = "a YAML document"): unknown {
  bounded(() => checkYamlSize(text, what));
  const document = YAML.parseDocument(text, options);
  const [error] = document.errors;
  if (error) throw error;
  return yamlData(document, what);
}

function bounded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof YamlLimitError)
      throw new KustomizeError("BuildFailed", error.message, { cause: error });
    throw error;
  }
}

/** Block style, no line folding (a folded line would change text that substitution reads). */
export function stringifyYaml(value: unknown): string {
  return YAML.stringify(value, { ...options, lineWidth: 0 });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

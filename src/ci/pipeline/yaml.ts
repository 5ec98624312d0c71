/**
 * Reading pipeline YAML as Concourse does (go-yaml v2 under sigs.k8s.io/yaml) where pipelines
 * notice: YAML 1.2's core schema plus YAML 1.1's booleans (`yes`, `no`, `on`, `off`, `y`, `n`)
 * and `<<` merge keys. Not YAML 1.1 as a whole: its floats would read `path: .` as NaN.
 */
import { parseDocument, type ScalarTag } from "yaml";
import { boundedToJS, checkYamlSize, YamlLimitError } from "../../common/yaml-bounds.ts";

const booleans: ScalarTag[] = [
  {
    tag: "tag:yaml.org,2002:bool",
    default: true,
    test: /^(?:[Yy]|[Yy]es|YES|[Oo]n|ON)$/,
    resolve: () => true,
  },
  {
    tag: "tag:yaml.org,2002:bool",
    default: true,
    test: /^(?:[Nn]|[Nn]o|NO|[Oo]ff|OFF)$/,
    resolve: () => false,
  },
];

export type YamlResult = { ok: true; value: unknown } | { ok: false; errors: string[] };

export function readYaml(text: string): YamlResult {
  try {
    checkYamlSize(text, "the pipeline");
    const document = parseDocument(text, {
      merge: true,
      uniqueKeys: true,
      customTags: (tags) => [...tags, ...booleans],
    });
    if (document.errors.length > 0) return { ok: false, errors: document.errors.map((e) => e.message) };
    return { ok: true, value: boundedToJS(document, "the pipeline") };
  } catch (error) {
    if (error instanceof YamlLimitError) return { ok: false, errors: [error.message] };
    throw error;
  }
}

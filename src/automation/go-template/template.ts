/**
 * A Go text/template subset, enough for the commit message templates Flux users write:
 * `{{ .A.B }}`, `{{ $x := … }}`, `{{ if }}/{{ else if }}/{{ else }}/{{ end }}`, `{{ with }}`,
 * `{{ range $k, $v := … }}` over slices, maps (sorted keys) and integers, `{{ break }}`,
 * `{{ continue }}`, pipelines `{{ .X | printf "%s" }}`, parenthesised pipelines, `{{- ` / ` -}}`
 * trimming, `{{/* comments *\/}}`, Go's builtin functions and a part of Sprig (funcs.ts).
 * Not supported: `define`, `template`, `block` (reported as "unsupported").
 *
 * Data is plain JavaScript: objects are structs (a missing field is an error), `Map`s are maps (a
 * missing key gives `<no value>`), functions on an object's class are methods, an object with a
 * `String()` method prints as that string.
 */
import { execute } from "./exec.ts";
import { templateFunctions } from "./funcs.ts";
import { parse, type Tree } from "./parse.ts";

export { TemplateError, type TemplateErrorCode } from "./errors.ts";
export { NO_VALUE } from "./format.ts";

export class Template {
  readonly #tree: Tree;

  private constructor(tree: Tree) {
    this.#tree = tree;
  }

  /** Parses `source`; throws a TemplateError (phase "parse") with the position of the problem. */
  static parse(source: string, name = "template"): Template {
    return new Template(parse(source, name, new Set(templateFunctions.keys())));
  }

  /** Renders the template; throws a TemplateError (phase "exec") with the position of the problem. */
  execute(data: unknown): string {
    return execute(this.#tree, data, templateFunctions);
  }
}

/** Parses and executes in one step. */
export function renderTemplate(source: string, data: unknown, name = "template"): string {
  return Template.parse(source, name).execute(data);
}

/**
 * Concourse var references: the text between `((` and `))`.
 *
 *   ((name))  ((name.field.sub))  ((source:path.field))  (("a.b".c))  ((.:local))
 *
 * A reference is found only where Concourse finds one: no spaces inside the parentheses, so
 * `(( x ))` stays text. Inside, an unquoted `:` ends the var source's name and unquoted dots
 * separate segments; double quotes protect dots and colons and are dropped; spaces around an
 * unquoted segment are trimmed.
 */

/** A parsed reference: `source:path.fields[0].fields[1]`; `source` is "" when none is named. */
export interface VarRef {
  source: string;
  path: string;
  fields: string[];
}

/** The source name of load_var and across vars: `((.:name))`. */
export const localVarSource = ".";

export class InvalidVarRefError extends Error {
  readonly text: string;
  constructor(text: string, problem: string, at?: string) {
    super(`invalid var ((${text}))${at === undefined ? "" : ` at ${at}`}: ${problem}`);
    this.name = "InvalidVarRefError";
    this.text = text;
  }
}

// Concourse's pattern: letters, digits, `_`, `-`, `/`, `.`, then `:@"` after the source name.
const referencePattern = /\(\((([-/.\w\p{L}]+:)?[-/.:@"\w\p{L}]+)\)\)/gu;

/** One `((…))` occurrence in a string: the whole match and the text inside the parentheses. */
export interface VarOccurrence {
  match: string;
  text: string;
}

export function findVarOccurrences(value: string): VarOccurrence[] {
  return [...value.matchAll(referencePattern)].map((m) => ({ match: m[0], text: m[1] ?? "" }));
}

/** True when the whole string is one reference, so its value replaces the string with its own type. */
export function isWholeReference(value: string): boolean {
  const found = findVarOccurrences(value);
  return found.length === 1 && found[0]?.match === value;
}

/** Replaces every reference in `value` by what `replace` returns for its inner text. */
export function replaceVarOccurrences(value: string, replace: (text: string) => string): string {
  return value.replace(referencePattern, (_match, text: string) => replace(text));
}

/** Index of the first `char` outside double quotes, or -1. */
function indexOfUnquoted(text: string, char: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === char && !quoted) return i;
    if (c === '"') quoted = !quoted;
  }
  return -1;
}

function splitSegments(text: string): string[] {
  const segments: string[] = [];
  let rest = text;
  for (;;) {
    const dot = indexOfUnquoted(rest, ".");
    const raw = dot < 0 ? rest : rest.slice(0, dot);
    segments.push(raw.trim().replaceAll('"', ""));
    if (dot < 0) return segments;
    rest = rest.slice(dot + 1);
  }
}

/** Parses the text inside `((…))`; `at` (a path in the document) only enriches the error. */
export function parseVarRef(text: string, at?: string): VarRef {
  const colon = indexOfUnquoted(text, ":");
  const source = colon < 0 ? "" : text.slice(0, colon);
  if (source.includes('"')) throw new InvalidVarRefError(text, "the var source must not be quoted", at);
  const segments = splitSegments(colon < 0 ? text : text.slice(colon + 1));
  if (segments.some((s) => s === "")) throw new InvalidVarRefError(text, "empty field", at);
  const [path = "", ...fields] = segments;
  return { source, path, fields };
}

// Quotes as the parser reads them: bare, without escapes (a backslash is a plain character).
const quote = (segment: string) => (/[,.:/ ]/.test(segment) ? `"${segment}"` : segment);

/** The canonical text of a reference (without parentheses), quoting segments that need it. */
export function formatVarRef(ref: VarRef): string {
  const segments = [ref.path, ...ref.fields].map(quote).join(".");
  return ref.source ? `${ref.source}:${segments}` : segments;
}

/** `((…))` around the canonical text: how messages name a var. */
export const displayVarRef = (ref: VarRef): string => `((${formatVarRef(ref)}))`;

/** Errors of the Go text/template subset, each with the position it concerns. */

export type TemplateErrorCode =
  /** Malformed action: bad token, unexpected keyword, missing operand. */
  | "syntax"
  /** `{{` without `}}`, or a comment without its closing. */
  | "unclosed-action"
  /** `if`, `range` or `with` without `{{end}}`. */
  | "unclosed-block"
  | "unknown-function"
  | "undefined-variable"
  /** `define`, `template` and `block`, which commit messages do not need. */
  | "unsupported"
  /** A struct field or method that does not exist, or a field of a nil value. */
  | "missing-field"
  /** A function or method called with the wrong number or type of arguments. */
  | "bad-argument"
  /** A function that failed on its own terms (division by zero, bad regular expression). */
  | "function-failed";

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
}

export function positionOf(source: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export interface TemplateErrorInit {
  readonly code: TemplateErrorCode;
  readonly phase: "parse" | "exec";
  readonly template: string;
  readonly source: string;
  readonly offset: number;
  readonly detail: string;
  /** The source text of the operand that failed, for exec errors (Go's `at <.Field>`). */
  readonly at?: string | undefined;
}

/**
 * A template that cannot be parsed or executed. The message follows Go's shape, e.g.
 * `template: commit message:3:5: function "foo" not defined`, with a column added.
 */
export class TemplateError extends Error implements Position {
  readonly code: TemplateErrorCode;
  readonly phase: "parse" | "exec";
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  /** The message without the position prefix. */
  readonly detail: string;

  constructor(init: TemplateErrorInit) {
    const { line, column } = positionOf(init.source, init.offset);
    const where = `template: ${init.template}:${line}:${column}: `;
    const at = init.at === undefined ? "" : `executing "${init.template}" at <${init.at}>: `;
    super(where + at + init.detail);
    this.name = "TemplateError";
    this.code = init.code;
    this.phase = init.phase;
    this.line = line;
    this.column = column;
    this.offset = init.offset;
    this.detail = init.detail;
  }
}

/** Thrown by template functions; the executor adds the position. */
export class FuncError extends Error {
  readonly code: "bad-argument" | "function-failed" | "missing-field";
  constructor(code: "bad-argument" | "function-failed" | "missing-field", message: string) {
    super(message);
    this.name = "FuncError";
    this.code = code;
  }
}

/** A parse-time {@link TemplateError} at `offset` of `source`. */
export function parseError(
  template: string,
  source: string,
  offset: number,
  detail: string,
  code: TemplateErrorCode = "syntax",
): TemplateError {
  return new TemplateError({ code, phase: "parse", template, source, offset, detail });
}

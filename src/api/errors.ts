import { z } from "zod";

/** An object from outside (the API server, a YAML file) that does not match its schema. */
export class InvalidObjectError extends Error {
  readonly issues: readonly z.core.$ZodIssue[];
  constructor(what: string, issues: readonly z.core.$ZodIssue[]) {
    super(`invalid ${what}:\n${z.prettifyError({ issues: [...issues] })}`);
    this.name = "InvalidObjectError";
    this.issues = issues;
  }
}

/** Parses `value` with `schema`, throwing an InvalidObjectError that names `what` and every issue. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidObjectError(what, result.error.issues);
  return result.data;
}

/** `kind namespace/name` for messages, from whatever the object carries. */
export function describeObject(value: unknown, fallbackKind: string): string {
  const obj = (typeof value === "object" && value !== null ? value : {}) as {
    kind?: unknown;
    apiVersion?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
  };
  const kind = typeof obj.kind === "string" ? obj.kind : fallbackKind;
  const name = typeof obj.metadata?.name === "string" ? obj.metadata.name : "<unnamed>";
  const ns = typeof obj.metadata?.namespace === "string" ? `${obj.metadata.namespace}/` : "";
  const version = typeof obj.apiVersion === "string" ? ` (${obj.apiVersion})` : "";
  return `${kind} ${ns}${name}${version}`;
}

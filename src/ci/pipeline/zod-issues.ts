/**
 * zod's issues about a raw pipeline, as PipelineIssues: a step's issues are those of the schema of
 * its own step key (not of every step schema zod tried), named after that key
 * (`jobs[0].plan[2].task: unknown field "priviledged"`), and types in YAML's words.
 */
import type { z } from "zod";
import { formatPath, type PipelineIssue } from "./issues.ts";
import { IN_PARALLEL_UNION_ERROR, STEP_KINDS, STEP_UNION_ERROR, stepKindsOf } from "./steps.ts";
import { describeValue } from "./var-reference.ts";

/** zod's names of types, in YAML's words. */
const EXPECTED: Readonly<Record<string, string>> = {
  string: "a string",
  boolean: "a boolean",
  number: "a number",
  int: "an integer",
  array: "a list",
  object: "a map",
  record: "a map",
};

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The path of an issue about `value`: a step is named by its step key, as in `plan[2].task`. */
function issuePath(path: readonly PropertyKey[], value: unknown): string {
  const kind = stepKindsOf(value)[0];
  return formatPath(kind === undefined ? path : [...path, kind]);
}

function conflictingStepKeys(path: readonly PropertyKey[], value: unknown): PipelineIssue | undefined {
  const kinds = stepKindsOf(value);
  if (kinds.length < 2) return undefined;
  const named = kinds.map((k) => JSON.stringify(k)).join(" and ");
  return { path: formatPath(path), message: `a step has one step key, this one has ${named}` };
}

/** A step none of whose schemas matched: report what its own step key's schema says. */
function stepIssues(issue: z.core.$ZodIssueInvalidUnion, path: PropertyKey[], raw: unknown): PipelineIssue[] {
  const value = valueAt(raw, path);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [{ path: formatPath(path), message: `expected a step, got ${describeValue(value)}` }];
  }
  const conflict = conflictingStepKeys(path, value);
  if (conflict) return [conflict];
  const kind = stepKindsOf(value)[0];
  if (kind === undefined) {
    return [
      { path: formatPath(path), message: `no step configured: expected one of ${STEP_KINDS.join(", ")}` },
    ];
  }
  return translateZodIssues(issue.errors[STEP_KINDS.indexOf(kind)] ?? [], raw, path);
}

/** An in_parallel that is a list or a map: report the issues of that form. */
function inParallelIssues(
  issue: z.core.$ZodIssueInvalidUnion,
  path: PropertyKey[],
  raw: unknown,
): PipelineIssue[] {
  const value = valueAt(raw, path);
  if (typeof value !== "object" || value === null)
    return [{ path: formatPath(path), message: issue.message }];
  return translateZodIssues(issue.errors[Array.isArray(value) ? 0 : 1] ?? [], raw, path);
}

function translateOne(issue: z.core.$ZodIssue, raw: unknown, path: PropertyKey[]): PipelineIssue[] {
  if (issue.code === "invalid_union" && issue.message === STEP_UNION_ERROR)
    return stepIssues(issue, path, raw);
  if (issue.code === "invalid_union" && issue.message === IN_PARALLEL_UNION_ERROR) {
    return inParallelIssues(issue, path, raw);
  }
  const value = valueAt(raw, path);
  if (issue.code === "unrecognized_keys") {
    const conflict = conflictingStepKeys(path, value);
    if (conflict) return [conflict];
    return issue.keys.map((key) => ({
      path: issuePath(path, value),
      message: `unknown field ${JSON.stringify(key)}`,
    }));
  }
  if (issue.code === "invalid_type") {
    const expected = EXPECTED[issue.expected] ?? issue.expected;
    const message =
      value === undefined ? "missing field" : `expected ${expected}, got ${describeValue(value)}`;
    return [{ path: formatPath(path), message }];
  }
  return [{ path: formatPath(path), message: issue.message }];
}

/** zod's issues for `raw`, with paths made absolute by `prefix`. */
export function translateZodIssues(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
  prefix: PropertyKey[] = [],
): PipelineIssue[] {
  return issues.flatMap((issue) => translateOne(issue, raw, [...prefix, ...issue.path]));
}

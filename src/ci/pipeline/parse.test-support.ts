/** Helpers for the tests of this folder: a pipeline that must parse, or the issues it must give. */
import assert from "node:assert/strict";
import { formatIssue } from "./issues.ts";
import { parsePipeline } from "./parse.ts";
import type { Pipeline } from "./pipeline.ts";

export function validPipeline(yamlText: string): { pipeline: Pipeline; warnings: string[] } {
  const result = parsePipeline(yamlText);
  if (!result.ok)
    assert.fail(`expected a valid pipeline, got:\n${result.errors.map(formatIssue).join("\n")}`);
  return { pipeline: result.pipeline, warnings: result.warnings.map(formatIssue) };
}

export function pipelineErrors(yamlText: string): string[] {
  const result = parsePipeline(yamlText);
  assert.equal(result.ok, false, "expected an invalid pipeline");
  return result.ok ? [] : result.errors.map(formatIssue);
}

/** A pipeline of one job `main` running `steps` (YAML lines, indented as plan items), using resource `repo`. */
export function oneJob(
  steps: string,
  resources = "  - { name: repo, type: git, source: { uri: u } }",
): string {
  return `resources:\n${resources}\njobs:\n  - name: main\n    plan:\n${steps}`;
}

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

export function invalidPipeline(yamlText: string): { errors: string[]; warnings: string[] } {
  const result = parsePipeline(yamlText);
  if (result.ok) assert.fail("expected an invalid pipeline");
  return { errors: result.errors.map(formatIssue), warnings: result.warnings.map(formatIssue) };
}

export const pipelineErrors = (yamlText: string): string[] => invalidPipeline(yamlText).errors;

/** A pipeline of one job `main` running `steps` (YAML lines, indented as plan items), using resource `repo`. */
export function oneJob(
  steps: string,
  resources = "  - { name: repo, type: git, source: { uri: u } }",
): string {
  return `resources:\n${resources}\njobs:\n  - name: main\n    plan:\n${steps}`;
}

/** A pipeline whose job `main` runs `plan` (YAML, a flow list or block lines), with a git resource `repo`. */
export const withPlan = (plan: string) => `
resources: [{ name: repo, type: git }]
jobs:
  - name: main
    plan: ${plan}
`;

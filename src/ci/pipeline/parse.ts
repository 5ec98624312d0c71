/**
 * The entry point: Concourse pipeline YAML in, a typed pipeline or the issues out. Parsing keeps
 * `((vars))` as text; interpolation is `ci/vars`'s business.
 */
import type { PipelineIssue, PipelineIssues } from "./issues.ts";
import { Pipeline } from "./pipeline.ts";
import { validatePipeline, type ValidateOptions } from "./validate.ts";
import { readYaml } from "./yaml.ts";
import { translateZodIssues } from "./zod-issues.ts";

export type ParsedPipeline =
  { ok: true; pipeline: Pipeline; warnings: PipelineIssue[] } | ({ ok: false } & PipelineIssues);

/** Reads YAML as Concourse does, checks its shape, then its meaning. Warnings never make a pipeline invalid. */
export function parsePipeline(yamlText: string, options: ValidateOptions = {}): ParsedPipeline {
  const yaml = readYaml(yamlText);
  if (!yaml.ok) return { ok: false, errors: yaml.errors.map(yamlIssue), warnings: [] };
  const raw = yaml.value ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      errors: [{ path: "", message: "a pipeline is a map with resources, jobs, …" }],
      warnings: [],
    };
  }
  const shaped = Pipeline.safeParse(raw);
  if (!shaped.success)
    return { ok: false, errors: translateZodIssues(shaped.error.issues, raw), warnings: [] };
  const { errors, warnings } = validatePipeline(shaped.data, options);
  return errors.length > 0 ? { ok: false, errors, warnings } : { ok: true, pipeline: shaped.data, warnings };
}

function yamlIssue(message: string): PipelineIssue {
  return { path: "", message: `invalid YAML: ${message}` };
}

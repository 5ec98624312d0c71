/** The Concourse pipeline model: parse and validate pipeline YAML, and plan its steps. */
export { parsePipeline, type ParsedPipeline } from "./parse.ts";
export { readYaml, type YamlResult } from "./yaml.ts";
export { formatIssue, type PipelineIssue, type PipelineIssues } from "./issues.ts";
export { validatePipeline, type ValidateOptions } from "./validate.ts";
export { CORE_RESOURCE_TYPES } from "./resource-checks.ts";
export { planJob, planStep, type PlanStep } from "./plan.ts";
export * from "./pipeline.ts";
export * from "./steps.ts";
export * from "./task-config.ts";
export { isVarReference } from "./var-reference.ts";

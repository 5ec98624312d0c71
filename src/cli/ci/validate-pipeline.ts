/**
 * `sluice ci validate-pipeline -c FILE [--strict] [-o] [-v/-y/-i/-l]`: fly's offline check of a
 * pipeline file. Warnings and errors go to stderr, each with its path; `looks good` (or, with
 * `-o`, the pipeline as it would be set) to stdout. Errors fail; with `--strict`, warnings and
 * unknown top-level keys fail too, as fly's strict YAML reading makes them.
 */
import type { Command } from "commander";
import { formatIssue, parsePipeline, Pipeline, type PipelineIssue } from "../../ci/pipeline/index.ts";
import { SluiceError } from "../../common/errors.ts";
import { evaluatePipelineTemplate, pipelineYaml } from "./pipeline-template.ts";
import { addVarFlags, varFlagsOf, type VarFlagOptions } from "./var-flags.ts";

interface ValidateOptions extends VarFlagOptions {
  config: string;
  strict: boolean;
  output: boolean;
}

const knownTopLevelKeys = new Set(Object.keys(Pipeline.shape));

/** Top-level keys Concourse drops (people keep YAML anchors there); fly's `--strict` refuses them. */
function unknownTopLevelKeys(doc: unknown): PipelineIssue[] {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return [];
  return Object.keys(doc)
    .filter((key) => !knownTopLevelKeys.has(key))
    .map((key) => ({ path: "", message: `unknown top-level field "${key}" (refused with --strict)` }));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

async function validate(options: ValidateOptions): Promise<void> {
  const doc = await evaluatePipelineTemplate(options.config, varFlagsOf(options));
  const parsed = parsePipeline(pipelineYaml(doc));
  const errors = [...(options.strict ? unknownTopLevelKeys(doc) : []), ...(parsed.ok ? [] : parsed.errors)];
  for (const warning of parsed.warnings) process.stderr.write(`WARNING: ${formatIssue(warning)}\n`);
  for (const error of errors) process.stderr.write(`error: ${formatIssue(error)}\n`);
  if (errors.length > 0) throw new SluiceError(`configuration invalid: ${plural(errors.length, "error")}`);
  if (options.strict && parsed.warnings.length > 0) {
    throw new SluiceError(
      `configuration invalid: ${plural(parsed.warnings.length, "warning")} with --strict`,
    );
  }
  process.stdout.write(options.output && parsed.ok ? pipelineYaml(parsed.pipeline) : "looks good\n");
}

export function registerValidatePipelineCommand(ci: Command): void {
  addVarFlags(
    ci
      .command("validate-pipeline")
      .description("check a pipeline file offline, as the server would before setting it")
      .requiredOption("-c, --config <file>", "the pipeline configuration file")
      .option("-s, --strict", "fail on warnings and on unknown top-level keys", false)
      .option(
        "-o, --output",
        "print the pipeline as it would be set (vars from the flags interpolated)",
        false,
      ),
  ).action(validate);
}

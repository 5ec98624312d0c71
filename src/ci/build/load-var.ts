/**
 * `load_var:` (Concourse's load_var_step.go): reads `file` (`<artifact>/<path>`) from an
 * artifact of the build and sets the local var `((.:name))` in the step's scope. The format is
 * `format:` if given, else the file's extension when it is one (json, yaml, yml, trim, raw), else
 * trim. Unless `reveal: true`, the value is redacted from the build's output.
 */
import path from "node:path";
import { readYaml } from "../pipeline/yaml.ts";
import { logLine, type RunContext } from "./context.ts";
import type { Outcome } from "./outcome.ts";
import { resolve } from "./resolve.ts";
import type { LeafStep } from "./step-runner.ts";

const FORMATS = ["json", "yaml", "yml", "trim", "raw"] as const;
type Format = (typeof FORMATS)[number];
type Config = LeafStep<"load_var">["config"];
const isFormat = (value: unknown): value is Format => (FORMATS as readonly unknown[]).includes(value);

export class LoadVarError extends Error {
  constructor(step: string, problem: string) {
    super(`load_var ${step}: ${problem}`);
    this.name = "LoadVarError";
  }
}

function formatOf(config: Config): Format {
  if (isFormat(config.format)) return config.format;
  if (config.format !== undefined) {
    throw new LoadVarError(config.load_var, `invalid format ${JSON.stringify(config.format)}`);
  }
  const extension = path.extname(config.file ?? "").slice(1);
  return isFormat(extension) ? extension : "trim";
}

function parse(text: string, format: Format, config: Config): unknown {
  const invalid = (problem: string) =>
    new LoadVarError(config.load_var, `${config.file} is not valid ${format}: ${problem}`);
  switch (format) {
    case "json":
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw invalid((error as Error).message);
      }
    case "yaml":
    case "yml": {
      const result = readYaml(text);
      if (!result.ok) throw invalid(result.errors.join("; "));
      return result.value;
    }
    case "trim":
      return text.trim();
    case "raw":
      return text;
  }
}

async function readArtifactFile(config: Config, ctx: RunContext): Promise<string> {
  const [artifact, file] = (config.file ?? "").split(/\/(.*)/s);
  if (artifact === undefined || artifact === "" || file === undefined || file === "") {
    throw new LoadVarError(
      config.load_var,
      `file must be <artifact>/<path>, got ${JSON.stringify(config.file ?? "")}`,
    );
  }
  if (!ctx.build.artifacts.has(artifact)) {
    throw new LoadVarError(config.load_var, `unknown artifact source: ${artifact} (in ${config.file})`);
  }
  const content = await ctx.build.artifacts.readFile(artifact, file, ctx.signal);
  if (content === undefined) {
    throw new LoadVarError(config.load_var, `file '${file}' not found within artifact '${artifact}'`);
  }
  return new TextDecoder().decode(content);
}

export async function runLoadVar(step: LeafStep<"load_var">, ctx: RunContext): Promise<Outcome> {
  const config = (await resolve(step.config, ctx)) as Config;
  const format = formatOf(config);
  const value = parse(await readArtifactFile(config, ctx), format, config);
  logLine(ctx, `var ${config.load_var} fetched.`);
  if (config.reveal !== true) ctx.build.redactor.record(value);
  ctx.vars.set(config.load_var, value);
  logLine(ctx, `added var ${config.load_var} to build.`);
  return "succeeded";
}

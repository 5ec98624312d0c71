/**
 * The configuration a task step runs: `config:` (its vars resolved) or the file `file:` names in
 * an artifact (its vars from the step's `vars:`, then the pipeline's), with the step's `params`
 * over the config's, every param a string as Concourse passes them (objects as JSON).
 */
import type { LeafStep, RunContext } from "../build/index.ts";
import { readYaml } from "../pipeline/index.ts";
import { TaskConfig } from "../pipeline/task-config.ts";
import { interpolate } from "../vars/interpolate.ts";
import { chainVarSources } from "../vars/source.ts";
import { staticVarSource } from "../vars/static-vars.ts";
import { readArtifactText } from "./artifact-file.ts";

export class TaskConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TaskConfigError";
  }
}

/** The config as Concourse reads it; a TaskConfigError lists every problem with its path. */
export function validatedTaskConfig(value: unknown, where: string): TaskConfig {
  const parsed = TaskConfig.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `  ${issue.path.join(".") || "(top)"}: ${issue.message}`);
  throw new TaskConfigError(`invalid task config in ${where}:\n${issues.join("\n")}`);
}

async function rawConfig(
  step: LeafStep<"task">,
  ctx: RunContext,
): Promise<{ value: unknown; where: string }> {
  const { config } = step;
  if (config.file !== undefined) {
    const document = readYaml(await readArtifactText(ctx, config.file, "file"));
    if (!document.ok) throw new TaskConfigError(`task file ${config.file}: ${document.errors.join("; ")}`);
    const vars = chainVarSources([staticVarSource(config.vars ?? {}, "task vars"), ctx.vars]);
    return { value: await interpolate(document.value, vars), where: config.file };
  }
  if (config.config !== undefined)
    return { value: await interpolate(config.config, ctx.vars), where: "config" };
  throw new TaskConfigError(`task ${config.task}: one of config or file is required`);
}

function asEnvValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return value === null || value === undefined ? "" : JSON.stringify(value);
}

export interface ResolvedTask {
  config: TaskConfig;
  /** The task's environment from its params, the step's winning. */
  params: Record<string, string>;
}

export async function resolveTask(step: LeafStep<"task">, ctx: RunContext): Promise<ResolvedTask> {
  const { value, where } = await rawConfig(step, ctx);
  const config = validatedTaskConfig(value, where);
  const stepParams = (await interpolate(step.config.params ?? {}, ctx.vars)) as Record<string, unknown>;
  const params: Record<string, string> = {};
  for (const [name, param] of Object.entries({ ...config.params, ...stepParams }))
    params[name] = asEnvValue(param);
  return { config, params };
}

/**
 * `set_pipeline:` sets a pipeline from a file of an artifact, as fly's set-pipeline would but
 * without asking: `vars`, then `instance_vars`, then `var_files` (the later file winning) are
 * interpolated into the file; vars none of them gives stay for the credential manager. The
 * pipeline is `self` (this build's own) or a name in `team` (default: the build's team); a new
 * one starts unpaused. An invalid config fails the step with its issues in the log.
 */
import YAML from "yaml";
import { logLine, type LeafStep, type Outcome, type RunContext } from "../build/index.ts";
import { formatIssue, parsePipeline, readYaml } from "../pipeline/index.ts";
import type { PipelineRef } from "../store/store.ts";
import { interpolate } from "../vars/interpolate.ts";
import { chainVarSources, isMap } from "../vars/source.ts";
import { staticVarSource } from "../vars/static-vars.ts";
import { ArtifactFileError, readArtifactText } from "./artifact-file.ts";
import type { StepEnvironment } from "./environment.ts";
import { resolveConfig } from "./resource-call.ts";

type Config = LeafStep<"set_pipeline">["config"];

export async function runSetPipeline(
  env: StepEnvironment,
  step: LeafStep<"set_pipeline">,
  ctx: RunContext,
): Promise<Outcome> {
  const config = (await resolveConfig(step.config, ctx)) as Config;
  const target = targetPipeline(env, config, ctx);
  const configYaml = await pipelineText(config, target.instanceVars ?? {}, ctx);
  const parsed = parsePipeline(configYaml);
  if (!parsed.ok) {
    logLine(ctx, `invalid pipeline config in ${config.file}:`, "stderr");
    for (const issue of parsed.errors) logLine(ctx, `  ${formatIssue(issue)}`, "stderr");
    return "failed";
  }
  const current = await env.store.getPipeline(target);
  if (current !== undefined && !current.archived && current.configYaml === configYaml) {
    await recordParent(env, current.id, ctx);
    logLine(ctx, `no changes to apply to pipeline ${target.team}/${target.name}`);
    return "succeeded";
  }
  const result = await env.store.setPipeline({
    ...target,
    configYaml,
    config: parsed.pipeline,
    expectedVersion: current?.configVersion ?? 0,
    pausedWhenCreated: false,
  });
  if (!result.ok) {
    throw new Error(
      `pipeline ${target.team}/${target.name} was changed while this step set it; run the build again`,
    );
  }
  await recordParent(env, result.pipeline.id, ctx);
  logLine(ctx, `pipeline ${target.team}/${target.name} ${result.created ? "created" : "set"}`);
  return "succeeded";
}

/** A job's build that sets a pipeline (not `self`) becomes its parent: see archivePipelinesNoLongerSet. */
async function recordParent(env: StepEnvironment, pipelineId: number, ctx: RunContext): Promise<void> {
  const { job, buildId } = ctx.build.identity;
  if (job === undefined || pipelineId === env.pipeline.id) return;
  await env.store.setPipelineParent(pipelineId, { jobId: job.id, buildId });
}

function targetPipeline(env: StepEnvironment, config: Config, ctx: RunContext): PipelineRef {
  const team = config.team ?? ctx.build.identity.team;
  if (team !== ctx.build.identity.team && ctx.build.identity.team !== "main") {
    throw new Error(`only the main team can set another team's pipelines (team: ${team})`);
  }
  if (config.set_pipeline === "self") {
    if (team !== env.pipeline.team) throw new Error("set_pipeline: self cannot be set in another team");
    return { team, name: env.pipeline.name, instanceVars: env.pipeline.instanceVars };
  }
  const instanceVars = config.instance_vars ?? {};
  return { team, name: config.set_pipeline, instanceVars };
}

async function pipelineText(config: Config, instanceVars: Record<string, unknown>, ctx: RunContext) {
  if (config.file === undefined) throw new ArtifactFileError("set_pipeline: file is required");
  const text = await readArtifactText(ctx, config.file, "file");
  const files = config.var_files ?? [];
  if (config.vars === undefined && files.length === 0 && Object.keys(instanceVars).length === 0) return text;
  const sources = [
    staticVarSource(config.vars ?? {}, "set_pipeline vars"),
    staticVarSource(instanceVars, "set_pipeline instance_vars"),
  ];
  for (const file of files.toReversed()) {
    const vars = readYaml(await readArtifactText(ctx, file, "var_files"));
    if (!vars.ok || !(isMap(vars.value) || vars.value == null)) {
      throw new ArtifactFileError(`var_files: ${file} must hold a YAML map of var names to values`);
    }
    sources.push(staticVarSource(vars.value ?? {}, `var file ${file}`));
  }
  const document = readYaml(text);
  if (!document.ok) return text; // parsePipeline reports the YAML error
  const evaluated = await interpolate(document.value, chainVarSources(sources), { keepUndefined: true });
  return YAML.stringify(evaluated, { compat: "yaml-1.1", lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * `put:` gives the resource the artifacts it needs (`inputs: detect` by default: the artifacts
 * whose names begin a string in `params`; `all`; or a list), saves the version it produced as
 * one of the resource's versions and as the build's output, then fetches that version into the
 * artifact of the step's name (the implicit get) unless `no_get`.
 *
 * On the local worker the inputs directory is a scratch directory holding one symlink per
 * artifact, so nothing is copied.
 */
import { symlink } from "node:fs/promises";
import path from "node:path";
import { logLine, type LeafStep, type Outcome, type RunContext } from "../build/index.ts";
import { resolveFlag } from "../build/resolve.ts";
import type { Config } from "../pipeline/fields.ts";
import { saveResourceVersions } from "../store/evaluated-config.ts";
import type { StepEnvironment } from "./environment.ts";
import {
  fetchVersion,
  logVersion,
  resolveConfig,
  resourceOutcome,
  ResourceStepError,
  stepResource,
  type StepResource,
} from "./resource-call.ts";

export async function runPut(env: StepEnvironment, step: LeafStep<"put">, ctx: RunContext): Promise<Outcome> {
  const { config } = step;
  const resource = await stepResource(env, config.resource ?? config.put, ctx);
  const params = await resolveConfig(config.params, ctx);
  const inputs = await inputsDirectory(env, await inputNames(env, config, params, ctx), ctx);
  const noGet = await resolveFlag(config.no_get, "no_get", ctx);
  const getParams = await resolveConfig(config.get_params, ctx);
  return resourceOutcome(ctx, async () => {
    const result = await resource.driver.put(resource.source, params, inputs, {
      signal: ctx.signal,
      log: (line) => logLine(ctx, line),
      build: ctx.build.identity,
    });
    logVersion(ctx, "pushed", result);
    await recordOutput(env, config.put, resource, result);
    if (!noGet) await fetchVersion(ctx, config.put, resource, result.version, getParams);
  });
}

async function inputNames(
  env: StepEnvironment,
  config: LeafStep<"put">["config"],
  params: Config,
  ctx: RunContext,
): Promise<string[]> {
  const inputs = await resolveConfig({ inputs: config.inputs ?? "detect" }, ctx).then((c) => c["inputs"]);
  if (inputs === "all") return env.artifactNames();
  if (inputs === "detect") return detectInputs(params).filter((name) => ctx.build.artifacts.has(name));
  if (!Array.isArray(inputs) || inputs.some((name) => typeof name !== "string")) {
    throw new ResourceStepError(`put ${config.put}: inputs must be all, detect or a list of artifact names`);
  }
  const unknown = (inputs as string[]).filter((name) => !ctx.build.artifacts.has(name));
  if (unknown.length > 0) {
    throw new ResourceStepError(
      `put ${config.put}: unknown artifact source: ${unknown.join(", ")} (in inputs)`,
    );
  }
  return inputs as string[];
}

/** The first path segment of every string in `params`, as Concourse's `inputs: detect`. */
export function detectInputs(params: unknown): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === "string") names.add(value.split("/")[0]!);
    else if (typeof value === "object" && value !== null) Object.values(value).forEach(visit);
  };
  visit(params);
  return [...names].filter((name) => name !== "");
}

async function inputsDirectory(env: StepEnvironment, names: string[], ctx: RunContext): Promise<string> {
  const directory = await env.scratchDirectory("put-inputs");
  for (const name of names) {
    await symlink(ctx.build.artifacts.directory(name)!, path.join(directory, name), "dir");
  }
  return directory;
}

async function recordOutput(
  env: StepEnvironment,
  name: string,
  resource: StepResource,
  result: { version: Record<string, string>; metadata: { name: string; value: string }[] },
): Promise<void> {
  const [saved] = await saveResourceVersions(env.store, resource.record, resource.scope, [result]);
  await env.store.recordBuildOutputs(env.build.id, [
    { name, resourceId: resource.record.id, versionId: saved!.id },
  ]);
  env.putVersions.set(resource.config.name, result.version);
}

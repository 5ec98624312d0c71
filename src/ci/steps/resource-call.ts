/**
 * What get and put share: the pipeline resource a step names with its `source` evaluated, the
 * built-in resource that implements its type, and fetching a version into an artifact.
 */
import { logLine, type RunContext } from "../build/index.ts";
import type { Config, Version } from "../pipeline/fields.ts";
import type { Resource } from "../pipeline/index.ts";
import { ResourceError, type BuiltinResource, type VersionResult } from "../resources/resource.ts";
import { resolveResourceType } from "../resources/resource-types.ts";
import type { ResourceRecord } from "../store/store.ts";
import { interpolate } from "../vars/interpolate.ts";
import type { StepEnvironment } from "./environment.ts";

export class ResourceStepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResourceStepError";
  }
}

export interface StepResource {
  config: Resource;
  record: ResourceRecord;
  driver: BuiltinResource;
  /** `source` with its vars resolved, over its type's defaults. */
  source: Config;
  /** What identifies its versions (see `resolveResourceType`). */
  scope: Config;
}

export async function stepResource(
  env: StepEnvironment,
  name: string,
  ctx: RunContext,
): Promise<StepResource> {
  const config = env.config.resources?.find((resource) => resource.name === name);
  const record = await env.store.getResource(env.pipeline.id, name);
  if (config === undefined || record === undefined) {
    throw new ResourceStepError(`unknown resource ${JSON.stringify(name)} in pipeline ${env.pipeline.name}`);
  }
  const resolve = (value: Config | undefined) => resolveConfig(value, ctx);
  const resolved = await resolveResourceType(
    env.config.resource_types,
    config.type,
    await resolve(config.source),
    {
      builtins: env.resources,
      custom: env.customTypes,
      resolve,
    },
  ).catch((error: unknown) => {
    throw error instanceof ResourceError
      ? new ResourceStepError(`resource ${name}: ${error.message}`)
      : error;
  });
  return { config, record, ...resolved };
}

export const resolveConfig = async (value: Config | undefined, ctx: RunContext): Promise<Config> =>
  (await interpolate(value ?? {}, ctx.vars)) as Config;

export function logVersion(ctx: RunContext, what: string, result: VersionResult): void {
  logLine(ctx, `${what} version ${JSON.stringify(result.version)}`);
  for (const field of result.metadata) logLine(ctx, `  ${field.name}: ${field.value}`);
}

/**
 * A resource's own failure (bad params, a rejected push) is the step's verdict, `failed`, as a
 * resource script exiting non-zero is in Concourse; anything else is thrown on (errored).
 */
export async function resourceOutcome(ctx: RunContext, call: () => Promise<void>) {
  try {
    await call();
    return "succeeded" as const;
  } catch (error) {
    if (!(error instanceof ResourceError) || ctx.signal.aborted) throw error;
    logLine(ctx, `${error.reason}: ${error.message}`, "stderr");
    return "failed" as const;
  }
}

/** Fetches `version` into a new directory and makes it the artifact `artifact`. */
export async function fetchVersion(
  ctx: RunContext,
  artifact: string,
  resource: StepResource,
  version: Version,
  params: Config,
): Promise<VersionResult> {
  const directory = await ctx.build.artifacts.allocate(artifact);
  const result = await resource.driver.get(resource.source, version, params, directory, {
    signal: ctx.signal,
    log: (line) => logLine(ctx, line),
    build: ctx.build.identity,
  });
  ctx.build.artifacts.register(artifact, directory);
  logVersion(ctx, "fetched", result);
  return result;
}

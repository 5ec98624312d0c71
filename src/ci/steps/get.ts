/**
 * `get:` fetches a version of a resource into the artifact named by the step. Which version, as
 * Concourse plans it: the one a put of the same resource produced earlier in this build, else the
 * build's recorded input of that name, else the step's `version:` map, else the latest one.
 */
import type { LeafStep, Outcome, RunContext } from "../build/index.ts";
import type { Version } from "../pipeline/fields.ts";
import type { StepEnvironment } from "./environment.ts";
import {
  fetchVersion,
  resolveConfig,
  resourceOutcome,
  ResourceStepError,
  stepResource,
  type StepResource,
} from "./resource-call.ts";

export async function runGet(env: StepEnvironment, step: LeafStep<"get">, ctx: RunContext): Promise<Outcome> {
  const { config } = step;
  const resource = await stepResource(env, config.resource ?? config.get, ctx);
  const { version, storedId } = await versionToGet(env, step, resource, ctx);
  const params = await resolveConfig(config.params, ctx);
  return resourceOutcome(ctx, async () => {
    const { metadata } = await fetchVersion(ctx, config.get, resource, version, params);
    // as Concourse keeps it: what a get tells of a version (a commit's message, author, date) stays with it
    if (storedId !== undefined && metadata.length > 0)
      await env.store.saveVersionMetadata(storedId, metadata);
  });
}

async function versionToGet(
  env: StepEnvironment,
  step: LeafStep<"get">,
  resource: StepResource,
  ctx: RunContext,
): Promise<{ version: Version; storedId?: number }> {
  const put = env.putVersions.get(resource.config.name);
  if (put !== undefined) return { version: put };
  const input = env.inputs.find((candidate) => candidate.name === step.config.get);
  const stored = input && (await env.store.getVersion(input.versionId));
  if (stored !== undefined) return { version: stored.version, storedId: stored.id };
  const wanted = await resolveConfig({ version: step.config.version }, ctx);
  if (typeof wanted["version"] === "object" && wanted["version"] !== null)
    return { version: wanted["version"] as Version };
  const latest = await env.store.latestVersion(resource.record.id);
  if (latest !== undefined) return { version: latest.version, storedId: latest.id };
  throw new ResourceStepError(
    `get ${step.config.get}: resource ${resource.config.name} has no version yet (not checked, or every version is disabled)`,
  );
}

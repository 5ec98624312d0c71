/**
 * Which implementation a pipeline's `type:` names: a type the pipeline declares in
 * `resource_types:` (its image, run in the sandbox — a declaration named like a core type
 * replaces it, as in Concourse), else the built-in resource of that name. A declared type's
 * `defaults` are merged under the resource's `source`.
 */
import type { Config } from "../pipeline/fields.ts";
import type { ResourceType } from "../pipeline/index.ts";
import type { BuiltinResources } from "./builtin.ts";
import type { CustomResourceTypes } from "./custom/container-resource.ts";
import { ResourceError, type BuiltinResource } from "./resource.ts";

export interface ResourceTypeContext {
  builtins: BuiltinResources;
  /** Runs declared types; without it a declared type is an error. */
  custom?: CustomResourceTypes | undefined;
  /** Resolves the ((vars)) of a declared type's source and defaults. */
  resolve: (value: Config | undefined) => Promise<Config>;
}

export interface ResolvedResource {
  driver: BuiltinResource;
  /** The resource's source over its type's defaults. */
  source: Config;
  /**
   * What identifies the resource's versions: the source, and for a declared type the image too,
   * so two pipelines declaring one name with different images never share versions.
   */
  scope: Config;
}

const imageTypes = new Set(["registry-image", "docker-image"]);

export async function resolveResourceType(
  declared: readonly ResourceType[] | undefined,
  typeName: string,
  source: Config,
  context: ResourceTypeContext,
): Promise<ResolvedResource> {
  const type = declared?.find((candidate) => candidate.name === typeName);
  if (type === undefined) {
    const driver = context.builtins.get(typeName);
    if (!driver)
      throw new ResourceError(
        "InvalidConfig",
        `resource type ${typeName} is not a core type nor declared in resource_types`,
      );
    return { driver, source, scope: source };
  }
  if (!imageTypes.has(type.type)) {
    throw new ResourceError(
      "InvalidConfig",
      `resource type ${typeName} has type ${type.type}: a declared resource type runs an image, so its type must be registry-image`,
    );
  }
  if (!context.custom) {
    throw new ResourceError(
      "InvalidConfig",
      `resource type ${typeName}: this worker has no sandbox to run declared resource types`,
    );
  }
  const image = await context.resolve(type.source);
  const merged = { ...(await context.resolve(type.defaults)), ...source };
  const privileged = (await context.resolve({ privileged: type.privileged }))["privileged"] === true;
  return {
    driver: context.custom({ name: typeName, source: image, privileged }),
    source: merged,
    scope: { source: merged, resource_type: { name: typeName, source: image, privileged } },
  };
}

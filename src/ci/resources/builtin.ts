/** The resource types built into the engine, by the `type:` a pipeline names them with. */
import { gitResource } from "./git/resource.ts";
import type { BuiltinResource } from "./resource.ts";
import { semverResource } from "./semver/resource.ts";
import { timeResource } from "./time/resource.ts";

export type BuiltinResources = ReadonlyMap<string, BuiltinResource>;

export function builtinResources(): BuiltinResources {
  const all = [timeResource(), semverResource, gitResource()];
  return new Map(all.map((resource) => [resource.type, resource]));
}

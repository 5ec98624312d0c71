/** The resource types built into the engine, by the `type:` a pipeline names them with. */
import type { BuiltinResource } from "./resource.ts";
import { semverResource } from "./semver/resource.ts";
import { timeResource } from "./time/resource.ts";

export type BuiltinResources = ReadonlyMap<string, BuiltinResource>;

export function builtinResources(): BuiltinResources {
  const all = [timeResource(), semverResource];
  return new Map(all.map((resource) => [resource.type, resource]));
}

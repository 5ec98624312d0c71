/**
 * Where a resource's versions live: the scope of its evaluated config (type and `source` with
 * vars resolved), as the checker sets it. Builds save their put versions into the same scope.
 * Shared by the checker loop and the put step.
 */
import type { Config } from "../pipeline/fields.ts";
import { resourceConfigHash } from "./canonical-json.ts";
import type { CiStore, NewVersion, ResourceVersion } from "./store.ts";

/** Moves the resource to the scope of its evaluated config and returns that scope's id. */
export function useEvaluatedConfig(store: CiStore, resourceId: number, type: string, source: Config) {
  return store.useResourceConfig(resourceId, type, resourceConfigHash(type, source));
}

/** Saves versions the resource found or produced, in the scope of its evaluated config. */
export async function saveResourceVersions(
  store: CiStore,
  resource: { id: number; type: string },
  source: Config,
  versions: NewVersion[],
): Promise<ResourceVersion[]> {
  const scope = await useEvaluatedConfig(store, resource.id, resource.type, source);
  return store.saveVersions(scope, versions);
}

/** Checks on resources and resource types: known types, and resources some job uses. */
import type { IssueCollector } from "./issues.ts";
import type { Pipeline } from "./pipeline.ts";
import { resourceOf, resourcesOf } from "./step-tree.ts";
import { isVarReference } from "./var-reference.ts";

/** The resource types every Sluice installation provides. */
export const CORE_RESOURCE_TYPES: readonly string[] = [
  "docker-image",
  "git",
  "registry-image",
  "semver",
  "time",
];

/**
 * Reports `type` at `path` unless it is a core type or declared in resource_types; a resource
 * type `declaring` itself may not be its own type (Concourse then falls back to the core type).
 */
export type ResourceTypeCheck = (path: PropertyKey[], type: string, declaring?: string) => void;

export function resourceTypeCheck(
  issues: IssueCollector,
  pipeline: Pipeline,
  coreTypes: readonly string[],
): ResourceTypeCheck {
  const declared = (pipeline.resource_types ?? []).map((t) => t.name);
  return (path, type, declaring) => {
    if (coreTypes.includes(type) || isVarReference(type)) return;
    if (declared.some((name) => name === type && name !== declaring)) return;
    issues.error(
      path,
      `unknown resource type '${type}': not a core type (${coreTypes.join(", ")}) nor declared in resource_types`,
    );
  };
}

export function checkResources(
  issues: IssueCollector,
  pipeline: Pipeline,
  checkType: ResourceTypeCheck,
): void {
  (pipeline.resource_types ?? []).forEach((t, i) => checkType(["resource_types", i, "type"], t.type, t.name));
  const used = new Set(
    (pipeline.jobs ?? []).flatMap((job) => {
      const { gets, puts } = resourcesOf(job);
      return [...gets, ...puts].map(resourceOf);
    }),
  );
  (pipeline.resources ?? []).forEach((r, i) => {
    checkType(["resources", i, "type"], r.type);
    if (!used.has(r.name)) issues.error(["resources", i], `resource '${r.name}' is not used`);
  });
}

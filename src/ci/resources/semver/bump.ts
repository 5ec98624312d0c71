/** Version bumps as semver-resource applies them from `bump`, `pre` and `build` params. */
import { z } from "zod";
import { isNumericIdentifier, isValidIdentifier, type SemanticVersion } from "./version.ts";

export const bumpParamsSchema = z.object({
  bump: z.enum(["major", "minor", "patch", "final"]).optional(),
  pre: z
    .string()
    .refine((id) => id === "" || isValidIdentifier(id), "must be a pre-release identifier such as rc")
    .optional(),
  pre_without_version: z.boolean().optional(),
  build: z
    .string()
    .refine((id) => id === "" || isValidIdentifier(id, true), "must be a build identifier such as build")
    .optional(),
  build_without_version: z.boolean().optional(),
});

export type BumpParams = z.output<typeof bumpParamsSchema>;

/** Whether the params ask for any change (semver-resource's put requires one, or `file`). */
export const hasBump = (params: BumpParams): boolean => Boolean(params.bump || params.pre || params.build);

/** `[id, n]` → `[id, n+1]` when the identifier is the same; otherwise `[id, 1]`; `[id]` when unversioned. */
function counted(current: readonly string[], id: string, withoutVersion: boolean): string[] {
  if (withoutVersion) return [id];
  const [first, second] = current;
  if (first !== id || isNumericIdentifier(first) || second === undefined) return [id, "1"];
  return [id, String((isNumericIdentifier(second) ? Number(second) : 0) + 1)];
}

/** The version after the bump, then the pre-release, then the build change, in that order. */
export function applyBump(v: SemanticVersion, params: BumpParams): SemanticVersion {
  let next: SemanticVersion = { ...v, pre: [...v.pre], build: [...v.build] };
  switch (params.bump) {
    case "major":
      next = { ...next, major: next.major + 1, minor: 0, patch: 0, pre: [] };
      break;
    case "minor":
      next = { ...next, minor: next.minor + 1, patch: 0, pre: [] };
      break;
    case "patch":
      next = { ...next, patch: next.patch + 1, pre: [] };
      break;
    case "final":
      next = { ...next, pre: [] };
      break;
  }
  if (params.pre) next.pre = counted(next.pre, params.pre, params.pre_without_version ?? false);
  if (params.build) next.build = counted(next.build, params.build, params.build_without_version ?? false);
  return next;
}

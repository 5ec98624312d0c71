/** Conversion of any served Kustomization version to v1, the version the controller works in. */
import { stringify } from "yaml";
import type { z } from "zod";
import { describeObject, parseOrThrow } from "../../errors.ts";
import type { JSON6902Patch, Patch } from "../kustomize-types.ts";
import type { ServedKustomization } from "./served.ts";
import * as v1 from "./v1.ts";

export interface Converted {
  object: v1.Kustomization;
  /** Paths of deprecated fields the object carried, e.g. `spec.validation`; report them once. */
  deprecated: string[];
}

/**
 * What objects of every served version have in common: anything the served schema accepts, before
 * or after its defaults. Every version's own type is assignable to it.
 */
export type Convertible = z.input<typeof ServedKustomization>;

// YAML 1.1 quotes strings such as "on" or "yes" that a YAML 1.1 reader would take for booleans.
const yamlOptions = { lineWidth: 0, aliasDuplicateObjects: false, version: "1.1" } as const;

/**
 * A `patchesStrategicMerge` entry as a v1 patch. The patch keeps no target, as `kustomize edit fix`
 * writes it: kustomize then applies it to the object its own apiVersion, kind, name and namespace
 * identify, exactly as it applied a patchesStrategicMerge entry. A target derived from those fields
 * would be looser (a target's name is a regular expression, and an empty group or namespace in a
 * target matches every group or namespace).
 */
export function patchFromStrategicMerge(document: Record<string, unknown>): Patch {
  return { patch: stringify(document, yamlOptions) };
}

/**
 * A `patchesJson6902` entry as a v1 patch: the operations as a YAML list, the same target.
 *
 * kustomize applied patchesJson6902 after setting the namespace and applies patches before, so a
 * target naming the Kustomization's `targetNamespace` would no longer match objects that only get
 * that namespace from it. For a target with a kind (which fixes whether objects are namespaced) that
 * namespace is left out: every namespaced object ends up in targetNamespace, so the target selects
 * the same objects either way.
 */
export function patchFromJson6902(entry: JSON6902Patch, targetNamespace?: string): Patch {
  const operations = entry.patch.map(({ op, path, from, value }) => ({
    op,
    path,
    ...(from === undefined ? {} : { from }),
    ...(value === undefined ? {} : { value }),
  }));
  const { namespace, ...rest } = entry.target;
  const implied = namespace !== undefined && namespace === targetNamespace && rest.kind !== undefined;
  return { patch: stringify(operations, yamlOptions), target: implied ? rest : entry.target };
}

/**
 * The v1 form of `obj`. Fields v1 no longer has are listed in `deprecated`; `patchesStrategicMerge`
 * and `patchesJson6902` become `patches` entries in kustomize's order (strategic merge patches
 * before the existing patches, JSON 6902 patches after them); `validation` (v1 always validates
 * server-side) and the v1beta1 `status.snapshot` (it names kinds, not objects, so it cannot become
 * an inventory) are dropped. Throws InvalidObjectError when the result is not a valid v1 object.
 */
export function convertToV1(obj: Convertible): Converted {
  const deprecated = new Set<string>();
  const { validation, patchesStrategicMerge, patchesJson6902, ...spec } = obj.spec;
  if (validation !== undefined) deprecated.add("spec.validation");
  if (patchesStrategicMerge !== undefined) deprecated.add("spec.patchesStrategicMerge");
  if (patchesJson6902 !== undefined) deprecated.add("spec.patchesJson6902");
  const converted = [
    ...(patchesStrategicMerge ?? []).map(patchFromStrategicMerge),
    ...(spec.patches ?? []),
    ...(patchesJson6902 ?? []).map((entry) => patchFromJson6902(entry, spec.targetNamespace)),
  ];
  const v1Spec = converted.length > 0 ? { ...spec, patches: converted } : spec;

  const { snapshot, ...status } = obj.status ?? {};
  if (snapshot !== undefined) deprecated.add("status.snapshot");

  const candidate = {
    apiVersion: v1.API_VERSION,
    kind: obj.kind,
    metadata: obj.metadata,
    spec: v1Spec,
    status: obj.status === undefined ? undefined : status,
  };
  const object = parseOrThrow(v1.Kustomization, candidate, describeObject(obj, obj.kind));
  return { object, deprecated: [...deprecated] };
}

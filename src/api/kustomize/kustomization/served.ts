/**
 * The one schema the API server serves for every Kustomization version: v1 plus the fields older
 * versions had, marked deprecated. Identical schemas let the CRD use `conversion: None` without
 * losing a field between versions (docs/adr/0003-api-versions-and-conversion.md).
 */
import { z } from "zod";
import { kindObject } from "../../meta.ts";
import {
  KIND,
  PatchesJson6902,
  PatchesStrategicMerge,
  SERVED_API_VERSIONS,
  Snapshot,
  Validation,
} from "./common.ts";
import { specShape, statusShape } from "./v1.ts";

export const ServedKustomizationSpec = z
  .object({
    ...specShape,
    validation: Validation.meta({ deprecated: true })
      .exactOptional()
      .describe(
        "Deprecated and ignored: the dry-run mode v1beta1 validated with ('none', 'client', 'server'); objects are always validated server-side.",
      ),
    patchesStrategicMerge: PatchesStrategicMerge.exactOptional(),
    patchesJson6902: PatchesJson6902.exactOptional(),
  })
  .describe("How to build the manifests of a source artifact with kustomize and apply them.");
export type ServedKustomizationSpec = z.infer<typeof ServedKustomizationSpec>;

export const ServedKustomizationStatus = z
  .object({
    ...statusShape,
    snapshot: Snapshot.meta({ deprecated: true })
      .exactOptional()
      .describe(
        "Kinds applied by a v1beta1 controller, superseded by inventory; names no objects, so it is not converted.",
      ),
  })
  .default(() => ({ observedGeneration: -1 }))
  .describe("Observed state of the Kustomization.");
export type ServedKustomizationStatus = z.infer<typeof ServedKustomizationStatus>;

export const ServedKustomization = kindObject(z.enum(SERVED_API_VERSIONS), KIND, {
  spec: ServedKustomizationSpec,
  status: ServedKustomizationStatus,
});
export type ServedKustomization = z.infer<typeof ServedKustomization>;

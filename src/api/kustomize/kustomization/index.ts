/** Kustomization (kustomize.toolkit.fluxcd.io): the v1 types the controller uses, parsing and the CRD. */
export * from "./v1.ts";
export {
  GROUP,
  KIND,
  SERVED_API_VERSIONS,
  CommonMetadata,
  ResourceInventory,
  ResourceRef,
  type ServedApiVersion,
} from "./common.ts";
export { CustomHealthCheck, Image, JSON6902Patch, Patch, Selector } from "../kustomize-types.ts";
export { convertToV1, patchFromJson6902, patchFromStrategicMerge, type Converted } from "./convert.ts";
export { parseKustomization } from "./parse.ts";
export { kustomizationCrd } from "./crd.ts";

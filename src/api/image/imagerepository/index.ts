/** ImageRepository (image.toolkit.fluxcd.io): the v1 types the controller uses, parsing and the CRD. */
export * from "./v1.ts";
export { DEFAULT_EXCLUSION_LIST, GROUP, KIND, SERVED_API_VERSIONS, type ServedApiVersion } from "./common.ts";
export { convertToV1, type Converted } from "./convert.ts";
export { parseImageRepository } from "./parse.ts";
export { imageRepositoryCrd } from "./crd.ts";

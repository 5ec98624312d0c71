/** ImagePolicy (image.toolkit.fluxcd.io): the v1 types the controller uses, parsing and the CRD. */
export * from "./v1.ts";
export {
  GROUP,
  KIND,
  SERVED_API_VERSIONS,
  AlphabeticalPolicy,
  ImageRef,
  NumericalPolicy,
  ReflectionPolicy,
  SemVerPolicy,
  TagFilter,
  type ServedApiVersion,
} from "./common.ts";
export {
  convertToV1,
  imageRefString,
  latestImageOf,
  parseImageRef,
  withLegacyImageFields,
  type Converted,
} from "./convert.ts";
export { parseImagePolicy } from "./parse.ts";
export { imagePolicyCrd } from "./crd.ts";
export { ServedImagePolicyStatus } from "./served.ts";

/** ImageUpdateAutomation (image.toolkit.fluxcd.io): the v1 types the controller uses, parsing and the CRD. */
export * from "./v1.ts";
export {
  GROUP,
  KIND,
  SERVED_API_VERSIONS,
  UPDATE_STRATEGY_SETTERS,
  CommitUser,
  GitCheckoutSpec,
  SigningKey,
  SourceReference,
  UpdateStrategy,
  UpdateStrategyName,
  type ServedApiVersion,
} from "./common.ts";
export { convertToV1, type Converted } from "./convert.ts";
export { parseImageUpdateAutomation } from "./parse.ts";
export { imageUpdateAutomationCrd } from "./crd.ts";

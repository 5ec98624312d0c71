/** Provider (notification.toolkit.fluxcd.io): the v1beta3 types the controller uses, parsing and the CRD. */
export * from "./v1beta3.ts";
export {
  GROUP,
  KIND,
  SERVED_API_VERSIONS,
  PROVIDER_TYPES,
  COMMIT_STATUS_TYPES,
  ProviderType,
  type ServedApiVersion,
} from "./common.ts";
export { convertToV1beta3, type Converted } from "./convert.ts";
export { parseProvider } from "./parse.ts";
export { providerCrd } from "./crd.ts";

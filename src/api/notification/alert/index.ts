/** Alert (notification.toolkit.fluxcd.io): the v1beta3 types the controller uses, parsing and the CRD. */
export * from "./v1beta3.ts";
export { GROUP, KIND, SERVED_API_VERSIONS, EventSeverity, type ServedApiVersion } from "./common.ts";
export { convertToV1beta3, type Converted } from "./convert.ts";
export { parseAlert } from "./parse.ts";
export { alertCrd } from "./crd.ts";

/** Receiver (notification.toolkit.fluxcd.io): the v1 types the controller uses, parsing and the CRD. */
export * from "./v1.ts";
export {
  GROUP,
  KIND,
  SERVED_API_VERSIONS,
  FLUX_RECEIVER_TYPES,
  ReceiverType,
  type ServedApiVersion,
} from "./common.ts";
export { convertToV1, type Converted } from "./convert.ts";
export { parseReceiver } from "./parse.ts";
export { receiverCrd } from "./crd.ts";
export { ServedReceiverStatus } from "./served.ts";

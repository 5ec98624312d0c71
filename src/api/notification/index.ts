/** The notification.toolkit.fluxcd.io kinds: Receiver (v1), Provider and Alert (v1beta3). */
export * as receiver from "./receiver/index.ts";
export * as provider from "./provider/index.ts";
export * as alert from "./alert/index.ts";
export { parseReceiver, receiverCrd } from "./receiver/index.ts";
export { parseProvider, providerCrd } from "./provider/index.ts";
export { parseAlert, alertCrd } from "./alert/index.ts";

import { parseAddress, postJson } from "../http.ts";
import type { FluxEvent, SendConfig } from "../types.ts";

/** Flux sends this header with every generic notification. */
export const componentHeader = "gotk-component";

/** The exact JSON body Flux's generic providers post: the Event itself. */
export function genericBody(payload: FluxEvent): string {
  return JSON.stringify(payload);
}

export function genericHeaders(config: SendConfig, payload: FluxEvent): Record<string, string> {
  return { [componentHeader]: payload.reportingController, ...config.headers };
}

/** `generic`: POSTs the Flux Event JSON to the address with the configured headers. */
export async function send(config: SendConfig, payload: FluxEvent): Promise<void> {
  const url = parseAddress("generic", config.address);
  await postJson("generic", config, url, genericBody(payload), genericHeaders(config, payload));
}

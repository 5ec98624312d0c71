import { createHmac } from "node:crypto";
import { NotificationError } from "../errors.ts";
import { parseAddress, postJson } from "../http.ts";
import type { FluxEvent, SendConfig } from "../types.ts";
import { genericBody, genericHeaders } from "./generic.ts";

/** `sha256=<hex HMAC-SHA256 of body keyed with token>`, Flux's `X-Signature` value. */
export function signature(body: string, key: string): string {
  return `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
}

/** `generic-hmac`: the generic body, signed in `X-Signature` with the token as HMAC key. */
export async function send(config: SendConfig, payload: FluxEvent): Promise<void> {
  const url = parseAddress("generic-hmac", config.address);
  if (!config.token) {
    throw new NotificationError({
      reason: "InvalidConfig",
      provider: "generic-hmac",
      message: "generic-hmac: the secret has no token to sign with",
    });
  }
  const body = genericBody(payload);
  await postJson("generic-hmac", config, url, body, {
    ...genericHeaders(config, payload),
    "X-Signature": signature(body, config.token),
  });
}

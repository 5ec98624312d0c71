/**
 * The webhook path of a Receiver, derived as notification-controller does: `/hook/` followed by the
 * lowercase hex SHA-256 of the token, the Receiver's name and its namespace, concatenated in that
 * order without separators. Reported in `.status.webhookPath`; the only thing a sender must know.
 */
import { createHash } from "node:crypto";

export const receiverWebhookPrefix = "/hook/";

export function webhookPath(token: string, name: string, namespace: string): string {
  const digest = createHash("sha256")
    .update(token + name + namespace, "utf8")
    .digest("hex");
  return receiverWebhookPrefix + digest;
}
